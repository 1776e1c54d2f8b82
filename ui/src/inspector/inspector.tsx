import { useId, useMemo, useState } from 'react';
import type { Problem } from '../../../flows/error-codes.ts';
import { DELIVERY_POLICY_SCHEMA, DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../../../flows/flow-document.ts';
import type { NodeKind } from '../../../flows/node-kinds.ts';
import { JsonView } from '../components/json-view.tsx';
import { ConnectionPicker } from '../connections/connection-picker.tsx';
import type { FieldErrors } from '../forms/schema-form.tsx';
import { SchemaForm } from '../forms/schema-form.tsx';
import type { JsonSchema } from '../forms/json-schema.ts';
import { configFieldOf, problemText, type CanvasNode, type FlowMeta, type FlowNodeData } from '../model/flow-model.ts';
import { describeNodeKind } from '../model/node-catalog.ts';
import type { NodeRunResult } from '../test-run/run-flow-test.ts';
import { PatternEditor } from './pattern-editor.tsx';
import type { SampleInput } from './sample-beside.tsx';
import { TransformEditor } from './transform-editor.tsx';

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export interface InspectorProps {
  meta: FlowMeta;
  nodes: readonly CanvasNode[];
  selected: readonly CanvasNode[];
  /** Problems by node id, with the node's index in the document for path mapping. */
  problemsOf: (nodeId: string) => { index: number; problems: readonly Problem[] };
  flowProblems: readonly Problem[];
  kindOf: (type: string) => NodeKind | undefined;
  sampleFor: (nodeId: string | undefined) => SampleInput;
  run: Readonly<Record<string, NodeRunResult>> | undefined;
  onUpdateNode: (id: string, patch: Partial<FlowNodeData>, key?: string) => void;
  onRenameNode: (id: string, newId: string) => void;
  onUpdateMeta: (patch: Partial<FlowMeta>, key?: string) => void;
  onDeleteSelection: () => void;
  onCopy: () => void;
  readOnly?: boolean;
}

/** The settings of what is selected: one node, several, or (nothing selected) the flow itself. */
export function Inspector(props: InspectorProps) {
  const { selected } = props;
  return (
    <aside className="inspector" aria-label="Inspector">
      {selected.length === 1 ? (
        <NodeInspector key={selected[0]!.id} node={selected[0]!} {...props} />
      ) : selected.length > 1 ? (
        <div className="inspector-section">
          <h2>{selected.length} nodes selected</h2>
          <p className="muted">Drag to move them together. Copy (Ctrl+C) pastes them into this or another flow.</p>
          <div className="actions">
            <button type="button" onClick={props.onCopy}>
              Copy
            </button>
            <button type="button" className="danger" onClick={props.onDeleteSelection} disabled={props.readOnly}>
              Delete
            </button>
          </div>
        </div>
      ) : (
        <FlowSettings {...props} />
      )}
    </aside>
  );
}

function fieldErrors(problems: readonly Problem[], index: number, base: 'config' | 'delivery'): { fields: FieldErrors; rest: Problem[] } {
  const fields = new Map<string, string[]>();
  const rest: Problem[] = [];
  for (const p of problems) {
    let field: string | undefined;
    if (base === 'config') field = configFieldOf(p, index);
    else if (p.path.startsWith(`nodes[${index}].delivery`)) field = p.path.slice(`nodes[${index}].delivery`.length).replace(/^\./, '');
    if (field === undefined) rest.push(p);
    else fields.set(field, [...(fields.get(field) ?? []), problemText(p)]);
  }
  return { fields, rest };
}

function NodeInspector({ node, problemsOf, kindOf, sampleFor, run, onUpdateNode, onRenameNode, nodes, meta, readOnly }: InspectorProps & { node: CanvasNode }) {
  const id = useId();
  const kind = kindOf(node.data.type);
  const { index, problems } = problemsOf(node.id);
  const config = useMemo(() => fieldErrors(problems, index, 'config'), [problems, index]);
  const delivery = useMemo(() => fieldErrors(config.rest, index, 'delivery'), [config.rest, index]);
  const connectionPath = `nodes[${index}].connection`;
  const connectionErrors = delivery.rest.filter((p) => p.path === connectionPath).map(problemText);
  const other = delivery.rest.filter((p) => p.path !== connectionPath);
  const [idText, setIdText] = useState(node.id);
  const [idError, setIdError] = useState<string | undefined>();
  const result = run?.[node.id];
  const update = (patch: Partial<FlowNodeData>, key?: string) => onUpdateNode(node.id, patch, key);
  const commitId = () => {
    const next = idText.trim();
    if (next === node.id) return setIdError(undefined);
    if (!NODE_ID.test(next)) return setIdError('Letters, digits, ".", "_" and "-" only, starting with a letter or digit.');
    if (nodes.some((n) => n.id === next)) return setIdError(`Another node already has the id "${next}".`);
    setIdError(undefined);
    onRenameNode(node.id, next);
  };
  const flowDefaults = { ...DEFAULT_DELIVERY_POLICY, ...meta.defaults?.delivery };

  return (
    <div className="inspector-section" data-testid="node-inspector">
      <header className={`inspector-head role-${kind?.role ?? 'unknown'}`}>
        <span className="muted small">{kind ? kind.role : 'unknown kind'}</span>
        <h2>{describeNodeKind(node.data.type, node.data.config, kind)}</h2>
        {kind && <p className="muted small">{kind.description}</p>}
      </header>
      {other.length > 0 && (
        <ul className="node-problems" role="alert">
          {other.map((p, i) => (
            <li key={i}>{problemText(p)}</li>
          ))}
        </ul>
      )}
      <fieldset className="field-group plain" disabled={readOnly}>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={node.data.name ?? ''} placeholder={describeNodeKind(node.data.type, node.data.config, kind)} onChange={(e) => update({ name: e.target.value || undefined }, `name:${node.id}`)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-id`}>Node id</label>
          <input id={`${id}-id`} className="mono" value={idText} onChange={(e) => setIdText(e.target.value)} onBlur={commitId} onKeyDown={(e) => e.key === 'Enter' && commitId()} aria-invalid={Boolean(idError) || undefined} />
          <p className="field-help">Shown in traces and dead letters; keep it stable once deployed.</p>
          {idError && (
            <p className="field-errors" role="alert">
              {idError}
            </p>
          )}
        </div>
        {node.data.type === 'source.webhook' && typeof node.data.config.sourceId === 'string' && node.data.config.sourceId && (
          <div className="webhook-url">
            <span className="muted small">Webhook URL (after deploy)</span>
            <code>{`${location.origin}/webhooks/${node.data.config.sourceId}`}</code>
          </div>
        )}
        {!kind ? (
          <p className="field-errors">flowbridge does not know the node type "{node.data.type}"; delete the node or install its connector.</p>
        ) : node.data.type === 'filter' ? (
          <PatternEditor value={node.data.config.pattern} onChange={(pattern) => update({ config: { ...node.data.config, pattern } }, `pattern:${node.id}`)} sample={sampleFor(node.id)} />
        ) : node.data.type === 'transform' ? (
          <TransformEditor config={node.data.config} onChange={(c) => update({ config: c }, `transform:${node.id}:${String(c.type)}`)} sample={sampleFor(node.id)} flowId={meta.id ?? 'draft'} />
        ) : (
          <SchemaForm schema={kind.configSchema as JsonSchema} value={node.data.config} errors={config.fields} onChange={(v) => update({ config: (v ?? {}) as Record<string, unknown> })} />
        )}
        {kind?.connectionKinds?.length ? (
          <ConnectionPicker
            value={node.data.connection}
            allowedKinds={kind.connectionKinds}
            required={Boolean(kind.connectionRequired)}
            errors={connectionErrors}
            disabled={readOnly}
            onChange={(connection) => update({ connection })}
          />
        ) : null}
        {kind?.role === 'target' && (
          <details className="delivery-policy" open={delivery.fields.size > 0 || undefined}>
            <summary>Delivery policy {node.data.delivery && Object.keys(node.data.delivery).length ? '(overridden)' : '(flow defaults)'}</summary>
            <p className="field-help">Empty fields use the flow's defaults ({describePolicy(flowDefaults)}).</p>
            <SchemaForm schema={policySchemaWithDefaults(flowDefaults)} value={node.data.delivery ?? {}} errors={delivery.fields} onChange={(v) => update({ delivery: v && Object.keys(v).length ? (v as Partial<DeliveryPolicy>) : undefined })} />
          </details>
        )}
      </fieldset>
      {result && result.status !== 'not-reached' && (
        <section className="inspector-run" aria-label="Last test run">
          <h3>Last test run: {result.status === 'stopped' ? 'filtered out' : result.status === 'would-deliver' ? 'would deliver' : result.status}</h3>
          {result.why?.length ? (
            <ul className="field-errors">
              {result.why.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          ) : null}
          {result.error && <p className="field-errors">{result.error}</p>}
          {result.input !== undefined && (
            <>
              <h4>Input</h4>
              <JsonView value={result.input} maxHeight={200} />
            </>
          )}
          {result.output !== undefined && (
            <>
              <h4>Output</h4>
              <JsonView value={result.output} maxHeight={200} />
            </>
          )}
        </section>
      )}
    </div>
  );
}

function describePolicy(p: DeliveryPolicy): string {
  return `${p.maxAttempts} attempts, first retry after ${p.backoffBaseMs} ms, at most ${p.backoffMaxMs} ms apart, ${p.timeoutMs} ms timeout`;
}

/** The delivery policy schema with the effective defaults shown as placeholders. */
function policySchemaWithDefaults(defaults: DeliveryPolicy): JsonSchema {
  const base = DELIVERY_POLICY_SCHEMA as unknown as JsonSchema;
  const properties: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(base.properties ?? {})) properties[k] = { ...v, default: undefined, examples: [defaults[k as keyof DeliveryPolicy]] };
  return { ...base, properties };
}

function FlowSettings({ meta, onUpdateMeta, flowProblems, readOnly }: InspectorProps) {
  const id = useId();
  return (
    <div className="inspector-section" data-testid="flow-settings">
      <h2>Flow settings</h2>
      <p className="muted small">Select a node to edit it. Nothing is selected, so these are the flow's own settings.</p>
      {flowProblems.length > 0 && (
        <ul className="node-problems" role="alert">
          {flowProblems.map((p, i) => (
            <li key={i}>{problemText(p)}</li>
          ))}
        </ul>
      )}
      <fieldset className="field-group plain" disabled={readOnly}>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={meta.name} onChange={(e) => onUpdateMeta({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-desc`}>Description</label>
          <textarea id={`${id}-desc`} rows={3} value={meta.description ?? ''} onChange={(e) => onUpdateMeta({ description: e.target.value || undefined })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-bus`}>Bus</label>
          <input id={`${id}-bus`} className="mono" value={meta.bus ?? ''} placeholder="default" onChange={(e) => onUpdateMeta({ bus: e.target.value || undefined })} />
          <p className="field-help">The bus this flow reads from; created on deploy if it does not exist.</p>
        </div>
        <details className="delivery-policy">
          <summary>Default delivery policy</summary>
          <p className="field-help">Targets use these unless they override them. Empty fields use flowbridge's defaults.</p>
          <SchemaForm
            schema={policySchemaWithDefaults(DEFAULT_DELIVERY_POLICY)}
            value={meta.defaults?.delivery ?? {}}
            onChange={(v) => onUpdateMeta({ defaults: v && Object.keys(v).length ? { delivery: v as Partial<DeliveryPolicy> } : undefined })}
          />
        </details>
      </fieldset>
    </div>
  );
}
