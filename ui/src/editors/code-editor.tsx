// A code field: a plain textarea (so typing, selection, undo and accessibility are the
// browser's own) over a highlighted copy of its text. Both share font and padding, and the
// copy follows the textarea's scroll.
import { useMemo, useRef, type KeyboardEvent } from 'react';
import { tokenize, type Language } from './highlight.ts';

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language: Language;
  /** Character offset to mark as the error location. */
  errorAt?: number;
  rows?: number;
  label: string;
  id?: string;
  placeholder?: string;
  readOnly?: boolean;
  invalid?: boolean;
}

export function CodeEditor({ value, onChange, language, errorAt, rows = 6, label, id, placeholder, readOnly, invalid }: CodeEditorProps) {
  const pre = useRef<HTMLPreElement>(null);
  const highlighted = useMemo(() => {
    const tokens = tokenize(value, language);
    const out: React.ReactNode[] = [];
    let offset = 0;
    tokens.forEach((t, i) => {
      const start = offset;
      offset += t.text.length;
      const marked = errorAt !== undefined && errorAt >= start && errorAt < Math.max(offset, start + 1);
      out.push(
        <span key={i} className={`tok-${t.type}${marked ? ' tok-error' : ''}`}>
          {t.text}
        </span>,
      );
    });
    if (errorAt !== undefined && errorAt >= value.length) out.push(<span key="eof" className="tok-error tok-eof"> </span>);
    return out;
  }, [value, language, errorAt]);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
    if (e.key === 'Tab' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && e.currentTarget.dataset.escaped !== '1') {
      e.preventDefault();
      const el = e.currentTarget;
      const { selectionStart: s, selectionEnd: end } = el;
      const next = `${value.slice(0, s)}  ${value.slice(end)}`;
      onChange(next);
      requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
    } else if (e.key === 'Escape') {
      e.currentTarget.dataset.escaped = '1';
    } else {
      delete e.currentTarget.dataset.escaped;
    }
  };

  return (
    <div className={`code-editor${invalid ? ' invalid' : ''}`} style={{ ['--rows' as string]: rows }}>
      <pre ref={pre} className="code-highlight" aria-hidden="true">
        {highlighted}
        {'\n'}
      </pre>
      <textarea
        id={id}
        aria-label={label}
        aria-invalid={invalid || undefined}
        className="code-input"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        wrap="off"
        rows={rows}
        value={value}
        placeholder={placeholder}
        readOnly={readOnly}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          if (pre.current) {
            pre.current.scrollTop = e.currentTarget.scrollTop;
            pre.current.scrollLeft = e.currentTarget.scrollLeft;
          }
        }}
      />
    </div>
  );
}
