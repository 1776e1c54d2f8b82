import { useState } from 'react';
import { CodeEditor } from '../editors/code-editor.tsx';
import { errorOffset } from '../editors/highlight.ts';

export interface SampleInput {
  value: unknown;
  /** Where the sample comes from, said beside it ("the flow's sample event", "this node's input in the last test run"). */
  origin: string;
}

/**
 * The sample a language editor is tried on, editable beside it. It starts from `sample`
 * and starts over when `sample` changes (a new test run); local edits stay local.
 */
export function useSampleText(sample: SampleInput): { text: string; setText: (t: string) => void; value: unknown; error: string | undefined; reset: () => void } {
  const initial = JSON.stringify(sample.value, null, 2);
  const [text, setText] = useState(initial);
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    setText(initial);
  }
  let value: unknown;
  let error: string | undefined;
  try {
    value = JSON.parse(text);
  } catch (err) {
    error = (err as Error).message;
  }
  return { text, setText, value, error, reset: () => setText(initial) };
}

export function SampleBeside({ id, sample, state }: { id: string; sample: SampleInput; state: ReturnType<typeof useSampleText> }) {
  return (
    <div className="sample-beside">
      <div className="sample-head">
        <label htmlFor={id}>Sample input</label>
        <span className="muted small">{sample.origin}</span>
        <button type="button" className="link-button" onClick={state.reset}>
          Reset
        </button>
      </div>
      <CodeEditor id={id} label="Sample input" language="json" rows={8} value={state.text} onChange={state.setText} invalid={Boolean(state.error)} errorAt={state.error ? errorOffset(state.error, state.text) : undefined} />
      {state.error && (
        <p className="field-errors" role="alert">
          The sample is not valid JSON: {state.error}
        </p>
      )}
    </div>
  );
}
