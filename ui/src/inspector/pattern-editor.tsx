import { useId, useMemo, useState } from 'react';
import { compilePattern, validatePattern } from '../../../flows/patterns/pattern.ts';
import { CodeEditor } from '../editors/code-editor.tsx';
import { errorOffset } from '../editors/highlight.ts';
import { explainPattern } from '../model/pattern-explain.ts';
import { SampleBeside, useSampleText, type SampleInput } from './sample-beside.tsx';

/**
 * The event-pattern editor: JSON with highlighting, pattern errors as you type (the same
 * validatePattern the server runs at deploy), and beside it a sample event with the live
 * answer: matches or not, condition by condition.
 */
export function PatternEditor({ value, onChange, sample }: { value: unknown; onChange: (pattern: unknown) => void; sample: SampleInput }) {
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(value ?? {}, null, 2));
  const [seen, setSeen] = useState(value);
  const [parseError, setParseError] = useState<string | undefined>();
  if (JSON.stringify(seen) !== JSON.stringify(value)) {
    setSeen(value);
    setText(JSON.stringify(value ?? {}, null, 2));
    setParseError(undefined);
  }
  const sampleState = useSampleText(sample);
  const problems = useMemo(() => (parseError ? [] : validatePattern(value)), [value, parseError]);
  const result = useMemo(() => {
    if (parseError || problems.length || sampleState.error) return undefined;
    try {
      return { matched: compilePattern(value).matches(sampleState.value), conditions: explainPattern(value, sampleState.value) };
    } catch {
      return undefined;
    }
  }, [value, parseError, problems, sampleState.value, sampleState.error]);

  return (
    <div className="language-editor pattern-editor">
      <div className="language-main">
        <label htmlFor={`${id}-pattern`}>Event pattern</label>
        <CodeEditor
          id={`${id}-pattern`}
          label="Event pattern"
          language="json"
          rows={8}
          value={text}
          invalid={Boolean(parseError || problems.length)}
          errorAt={parseError ? errorOffset(parseError, text) : undefined}
          onChange={(t) => {
            setText(t);
            try {
              const v = JSON.parse(t) as unknown;
              setParseError(undefined);
              setSeen(v);
              onChange(v);
            } catch (err) {
              setParseError((err as Error).message);
            }
          }}
        />
        <p className="field-help">
          AWS EventBridge patterns: exact values, <code>prefix</code>, <code>suffix</code>, <code>anything-but</code>, <code>numeric</code>, <code>exists</code>, <code>wildcard</code>, <code>cidr</code>, <code>$or</code>.
        </p>
        {parseError && (
          <p className="field-errors" role="alert">
            Not valid JSON yet: {parseError}
          </p>
        )}
        {problems.length > 0 && (
          <ul className="field-errors" role="alert" data-testid="pattern-problems">
            {problems.map((p, i) => (
              <li key={i}>
                {p.path ? <code>{p.path}</code> : null} {p.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="language-side">
        <SampleBeside id={`${id}-sample`} sample={sample} state={sampleState} />
        <div className="live-result" aria-live="polite" data-testid="pattern-result">
          {result === undefined ? (
            <span className="muted">Fix the pattern and the sample to see whether it matches.</span>
          ) : (
            <>
              <strong className={result.matched ? 'ok' : 'bad'}>{result.matched ? '✓ The sample matches' : '✗ The sample does not match'}</strong>
              <ul className="conditions">
                {result.conditions.map((c, i) => (
                  <li key={i} className={c.matched ? 'ok' : 'bad'}>
                    {c.matched ? '✓' : '✗'} <code>{c.path}</code> {JSON.stringify(c.expected)}
                    {!c.matched && !c.path.endsWith('$or') && <span className="muted"> — the sample has {c.actual === undefined ? 'nothing there' : JSON.stringify(c.actual)}</span>}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
