import { useEffect, useId, useMemo, useState } from 'react';
import type { Problem } from '../../../flows/error-codes.ts';
import { compileTransform, validateTransform } from '../../../flows/transforms/transform.ts';
import { JsonView } from '../components/json-view.tsx';
import { CodeEditor } from '../editors/code-editor.tsx';
import { errorOffset, type Language } from '../editors/highlight.ts';
import { JsonField, SchemaForm } from '../forms/schema-form.tsx';
import { SampleBeside, useSampleText, type SampleInput } from './sample-beside.tsx';

const KINDS: { kind: string; title: string; fresh: Record<string, unknown> }[] = [
  { kind: 'jsonata', title: 'JSONata expression', fresh: { type: 'jsonata', expression: 'data' } },
  { kind: 'template', title: 'Input template (AWS)', fresh: { type: 'template', inputPathsMap: {}, inputTemplate: '' } },
  { kind: 'handlebars', title: 'Handlebars text', fresh: { type: 'handlebars', template: '' } },
  { kind: 'jsonpath', title: 'JSONPath', fresh: { type: 'jsonpath', path: '$.data' } },
  { kind: 'constant', title: 'Constant', fresh: { type: 'constant', value: {} } },
  { kind: 'original', title: 'Original event', fresh: { type: 'original' } },
];

const VARIABLES_SCHEMA = {
  type: 'object',
  title: 'Variables',
  description: 'Each variable takes its value from the event by JSONPath; use it in the template as <name>.',
  additionalProperties: { type: 'string' },
} as const;

type Output = { ok: true; value: unknown; text: boolean } | { ok: false; message: string } | undefined;

/**
 * The transform editor: the kind, then its expression or template with highlighting and
 * errors as you type (validateTransform, as at deploy), and beside it a sample input with
 * the live output (compileTransform + render, as the router runs it).
 */
export function TransformEditor({ config, onChange, sample, flowId }: { config: Record<string, unknown>; onChange: (config: Record<string, unknown>) => void; sample: SampleInput; flowId: string }) {
  const id = useId();
  const sampleState = useSampleText(sample);
  const problems = useMemo(() => validateTransform(config), [config]);
  const [output, setOutput] = useState<Output>();

  useEffect(() => {
    if (problems.length || sampleState.error) {
      setOutput(undefined);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      (async () => {
        try {
          const compiled = compileTransform(config);
          const input = sampleState.value;
          const value = await compiled.render(input, { event: input, ruleName: 'editor preview', flowId, ingestionTime: new Date().toISOString() });
          if (!cancelled) setOutput({ ok: true, value, text: compiled.output === 'text' });
        } catch (err) {
          if (!cancelled) setOutput({ ok: false, message: err instanceof Error ? err.message : String(err) });
        }
      })().catch(() => undefined);
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [config, problems, sampleState.value, sampleState.error, flowId]);

  const kind = typeof config.type === 'string' ? config.type : '';
  const problemsAt = (field: string): Problem[] => problems.filter((p) => p.path === field || p.path.startsWith(`${field}.`) || p.path.startsWith(`${field}[`));
  const general = problems.filter((p) => !['expression', 'template', 'inputTemplate', 'inputPathsMap', 'path', 'value', 'part'].some((f) => p.path === f || p.path.startsWith(`${f}.`) || p.path.startsWith(`${f}[`)));
  const set = (field: string, v: unknown) => {
    const next = { ...config };
    if (v === undefined) delete next[field];
    else next[field] = v;
    onChange(next);
  };

  const code = (field: string, label: string, language: Language, rows: number, help?: string) => {
    const list = problemsAt(field);
    const text = typeof config[field] === 'string' ? (config[field] as string) : '';
    return (
      <div className="field">
        <label htmlFor={`${id}-${field}`}>{label}</label>
        <CodeEditor id={`${id}-${field}`} label={label} language={language} rows={rows} value={text} invalid={list.length > 0} errorAt={list[0] ? errorAtFor(list[0].message, text) : undefined} onChange={(t) => set(field, t)} />
        {help && <p className="field-help">{help}</p>}
        <ProblemList problems={list} />
      </div>
    );
  };

  return (
    <div className="language-editor transform-editor">
      <div className="language-main">
        <div className="field">
          <label htmlFor={`${id}-kind`}>Transform kind</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => onChange(structuredClone(KINDS.find((k) => k.kind === e.target.value)?.fresh ?? { type: e.target.value }))}>
            {!KINDS.some((k) => k.kind === kind) && <option value={kind}>Choose…</option>}
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.title}
              </option>
            ))}
          </select>
        </div>
        <ProblemList problems={general} />
        {kind === 'jsonata' && code('expression', 'JSONata expression', 'jsonata', 8, 'Runs on the event in structured form: data.employee.email, $lowercase(…), { "key": value }.')}
        {kind === 'handlebars' && code('template', 'Handlebars template', 'handlebars', 8, 'Text output: {{data.employee.givenName}}, {{#each}}…{{/each}}, {{#if}}…{{/if}}.')}
        {kind === 'template' && (
          <>
            <SchemaForm schema={VARIABLES_SCHEMA} value={config.inputPathsMap ?? {}} onChange={(v) => set('inputPathsMap', v)} />
            <ProblemList problems={problemsAt('inputPathsMap')} />
            {code('inputTemplate', 'Template', 'template', 6, 'JSON (or text) with <variable> placeholders; strings are quoted for you.')}
          </>
        )}
        {kind === 'jsonpath' && code('path', 'JSONPath', 'jsonpath', 2, 'For example $.data.employee.')}
        {kind === 'constant' && (
          <div className="field">
            <label htmlFor={`${id}-value`}>Value</label>
            <JsonField id={`${id}-value`} label="Constant value" value={config.value} onChange={(v) => set('value', v)} invalid={problemsAt('value').length > 0} />
            <ProblemList problems={problemsAt('value')} />
          </div>
        )}
        {kind === 'original' && (
          <div className="field">
            <label htmlFor={`${id}-part`}>What to send</label>
            <select id={`${id}-part`} value={config.part === 'data' ? 'data' : ''} onChange={(e) => set('part', e.target.value === 'data' ? 'data' : undefined)}>
              <option value="">The whole event (CloudEvents envelope)</option>
              <option value="data">Only its data</option>
            </select>
          </div>
        )}
      </div>
      <div className="language-side">
        <SampleBeside id={`${id}-sample`} sample={sample} state={sampleState} />
        <div className="live-result" aria-live="polite" data-testid="transform-result">
          <div className="sample-head">
            <strong>Output</strong>
            {output?.ok && <span className="muted small">{output.text ? 'text' : 'JSON'}</span>}
          </div>
          {output === undefined && <span className="muted">{problems.length ? 'Fix the problems to see the output.' : sampleState.error ? 'Fix the sample to see the output.' : 'Rendering…'}</span>}
          {output?.ok === true && <JsonView value={output.value} label="Transform output" maxHeight={240} />}
          {output?.ok === false && (
            <p className="field-errors" role="alert">
              {output.message}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}

function errorAtFor(message: string, text: string): number | undefined {
  const at = errorOffset(message, text);
  return at === undefined ? undefined : Math.max(0, at - 1);
}

function ProblemList({ problems }: { problems: readonly Problem[] }) {
  if (!problems.length) return null;
  return (
    <ul className="field-errors" role="alert">
      {problems.map((p, i) => (
        <li key={i}>{p.message}</li>
      ))}
    </ul>
  );
}
