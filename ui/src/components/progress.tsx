/** A busy indicator with a label, for operations that take a moment. */
export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="spinner-label">{label}</span>
    </span>
  );
}

/** Progress of a batch (redrive all): done of total, with what failed. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total ? Math.round((done / total) * 100) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
      <span className="progress-label">
        {label}: {done} of {total}
      </span>
    </div>
  );
}
