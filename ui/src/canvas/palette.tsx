import { useMemo, useState, type DragEvent } from 'react';
import { ROLE_ORDER, ROLE_TITLES, searchPalette, type PaletteItem } from '../model/node-catalog.ts';

export const PALETTE_MIME = 'application/x-flowbridge-node';

/** Node kinds to drag onto the canvas (or click / press Enter to add at the centre), with search. */
export function Palette({ items, onAdd }: { items: readonly PaletteItem[]; onAdd: (item: PaletteItem) => void }) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => searchPalette(items, query), [items, query]);
  const onDragStart = (e: DragEvent, item: PaletteItem) => {
    e.dataTransfer.setData(PALETTE_MIME, item.key);
    e.dataTransfer.setData('text/plain', item.title);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <aside className="palette" aria-label="Node palette">
      <input type="search" className="palette-search" placeholder="Search nodes…" aria-label="Search nodes" value={query} onChange={(e) => setQuery(e.target.value)} />
      {ROLE_ORDER.map((role) => {
        const group = shown.filter((i) => i.role === role);
        if (!group.length) return null;
        return (
          <section key={role} className="palette-group">
            <h3>{ROLE_TITLES[role]}</h3>
            <ul>
              {group.map((item) => (
                <li key={item.key}>
                  <button
                    type="button"
                    className={`palette-item role-${item.role}`}
                    draggable
                    data-palette-key={item.key}
                    title={`${item.description}\nDrag onto the canvas, or click to add.`}
                    onDragStart={(e) => onDragStart(e, item)}
                    onClick={() => onAdd(item)}
                  >
                    <span className="palette-title">{item.title}</span>
                    <span className="palette-desc">{item.description}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {!shown.length && <p className="muted small">No node kind matches “{query}”.</p>}
      <p className="muted small palette-hint">Branches: connect one node to several others; each path runs on its own.</p>
    </aside>
  );
}
