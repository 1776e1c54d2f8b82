/** A table's header row; an empty title is the actions column (named for screen readers only). */
export function TableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th key={i}>{c || <span className="visually-hidden">Actions</span>}</th>
        ))}
      </tr>
    </thead>
  );
}
