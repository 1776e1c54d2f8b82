import { useMemo } from 'react';
import { tokenize } from '../editors/highlight.ts';

/** A JSON value (or text) shown read-only, highlighted; long values scroll. */
export function JsonView({ value, label, maxHeight }: { value: unknown; label?: string; maxHeight?: number }) {
  const text = typeof value === 'string' ? value : value === undefined ? '(nothing)' : JSON.stringify(value, null, 2);
  const tokens = useMemo(() => (typeof value === 'string' ? [{ type: 'text' as const, text }] : tokenize(text, 'json')), [text, value]);
  return (
    <pre className="json-view" aria-label={label} style={maxHeight ? { maxHeight } : undefined} tabIndex={0}>
      {tokens.map((t, i) => (
        <span key={i} className={`tok-${t.type}`}>
          {t.text}
        </span>
      ))}
    </pre>
  );
}
