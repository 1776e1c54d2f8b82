import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { FlowbridgeError } from '../../../flows/error-codes.ts';
import type { FlowDocument, FlowNode } from '../../../flows/flow-document.ts';
import { describeError } from '../api/api-client.ts';
import type { CaptureState, RecentBusEvent, TargetRequestPreview } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Spinner } from '../components/progress.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { CodeEditor } from '../editors/code-editor.tsx';
import { errorOffset } from '../editors/highlight.ts';
import { isCloudEvent, parseSample, runFlowTest, type NodeRunResult, type PathResult, type TestRunResult } from './run-flow-test.ts';

type SampleSource = 'paste' | 'capture' | 'recent';

export interface TestRunPanelProps {
  doc: FlowDocument;
  sampleText: string;
  onSampleText: (text: string) => void;
  /** The last run's result per node and the event it ran on (a CloudEvent, wrapped if need be). */
  onRun: (run: { nodes: Readonly<Record<string, NodeRunResult>>; event: Record<string, unknown> } | undefined) => void;
  onJump: (nodeId: string) => void;
  onShowProblems: () => void;
}

const labelOf = (n: FlowNode | undefined, id: string) => n?.name ?? id;

/**
 * Test before deploying: a sample event (pasted, captured from the webhook's test URL, or
 * a recent real one), run through the flow in the browser with the flows/ runtime. Nothing
 * is delivered; each node reports its input and output, and targets show their request.
 */
export function TestRunPanel({ doc, sampleText, onSampleText, onRun, onJump, onShowProblems }: TestRunPanelProps) {
  const { api, catalog } = useApp();
  const id = useId();
  const [source, setSource] = useState<SampleSource>('paste');
  const sources = useMemo(() => doc.nodes.filter((n) => catalog.kindOf(n.type)?.role === 'source'), [doc.nodes, catalog]);
  const webhooks = sources.filter((n) => n.type === 'source.webhook' && typeof n.config.sourceId === 'string' && n.config.sourceId);
  const [sourceNodeId, setSourceNodeId] = useState<string>('');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<TestRunResult | undefined>();
  const [error, setError] = useState<{ text: string; problems?: boolean } | undefined>();
  const [requests, setRequests] = useState<Record<string, TargetRequestPreview | { error: string } | 'loading'>>({});

  const parsed = useMemo(() => (sampleText.trim() ? parseSample(sampleText) : undefined), [sampleText]);
  const chosenSource = sources.find((n) => n.id === sourceNodeId);
  const wrapWith = chosenSource?.type === 'source.webhook' ? chosenSource : webhooks[0];
  const rawBody = parsed && 'value' in parsed && !isCloudEvent(parsed.value);

  const run = useCallback(async () => {
    setError(undefined);
    setResult(undefined);
    setRequests({});
    const sample = parseSample(sampleText);
    if ('error' in sample) {
      setError({ text: sample.error });
      return;
    }
    setRunning(true);
    try {
      let event = sample.value;
      if (!isCloudEvent(event)) {
        // A raw webhook body: wrap it exactly as ingest would, with the source's settings.
        if (!wrapWith) throw new Error('The sample is not a CloudEvent (no specversion, id, source and type), and the flow has no webhook source to wrap it with.');
        event = (await api.post<{ event: Record<string, unknown> }>('/test-run/webhook-event', { config: wrapWith.config, headers: { 'content-type': 'application/json' }, body: sample.value })).event;
      }
      const outcome = await runFlowTest(doc, catalog.catalog, event, sourceNodeId || undefined);
      setResult(outcome);
      onRun({ nodes: outcome.nodes, event: outcome.event });
      for (const path of outcome.paths) {
        if (path.outcome !== 'deliver') continue;
        setRequests((r) => ({ ...r, [path.ruleId]: 'loading' }));
        api
          .post<TargetRequestPreview>('/test-run/target-request', { target: { type: path.target.type, config: path.target.config }, body: path.body, output: path.output, event, ruleId: path.ruleId, bus: doc.bus ?? 'default' })
          .then((preview) => setRequests((r) => ({ ...r, [path.ruleId]: preview })))
          .catch((err: unknown) => setRequests((r) => ({ ...r, [path.ruleId]: { error: describeError(err) } })));
      }
    } catch (err) {
      if (err instanceof FlowbridgeError && err.code === 'ERR_FLOW_INVALID') setError({ text: `The flow cannot run yet: ${err.message}`, problems: true });
      else setError({ text: describeError(err) });
      onRun(undefined);
    } finally {
      setRunning(false);
    }
  }, [api, catalog, doc, sampleText, sourceNodeId, wrapWith, onRun]);

  const byId = useMemo(() => new Map(doc.nodes.map((n) => [n.id, n])), [doc.nodes]);

  return (
    <div className="split test-run" data-testid="test-run">
      <div className="stack">
        <div className="segmented" role="group" aria-label="Where the sample comes from">
          {(
            [
              ['paste', 'Paste'],
              ['capture', 'Webhook test URL'],
              ['recent', 'Recent event'],
            ] as const
          ).map(([key, label]) => (
            <button key={key} type="button" aria-pressed={source === key} onClick={() => setSource(key)}>
              {label}
            </button>
          ))}
        </div>
        {source === 'paste' && (
          <>
            <label htmlFor={`${id}-sample`}>Sample event (a CloudEvent, or a webhook body)</label>
            <CodeEditor
              id={`${id}-sample`}
              label="Sample event"
              language="json"
              rows={9}
              value={sampleText}
              onChange={onSampleText}
              placeholder={'{ "specversion": "1.0", "id": "…", "source": "…", "type": "…", "data": { … } }'}
              invalid={Boolean(parsed && 'error' in parsed)}
              errorAt={parsed && 'error' in parsed ? errorOffset(parsed.error, sampleText) : undefined}
            />
            {parsed && 'error' in parsed && <p className="field-errors">{parsed.error}</p>}
            {rawBody && <p className="muted small">{wrapWith ? `Not a CloudEvent: it will be wrapped as the webhook "${labelOf(wrapWith, wrapWith.id)}" would wrap this body.` : 'Not a CloudEvent, and the flow has no webhook source to wrap it with.'}</p>}
          </>
        )}
        {source === 'capture' && <CapturePicker webhooks={webhooks} onPicked={(text) => (onSampleText(text), setSource('paste'))} />}
        {source === 'recent' && <RecentPicker bus={doc.bus ?? 'default'} webhooks={webhooks} onPicked={(text) => (onSampleText(text), setSource('paste'))} />}
        <div className="actions">
          <label htmlFor={`${id}-from`} className="small">
            Run from
          </label>
          <select id={`${id}-from`} value={sourceNodeId} onChange={(e) => setSourceNodeId(e.target.value)} style={{ width: 'auto' }}>
            <option value="">every source</option>
            {sources.map((n) => (
              <option key={n.id} value={n.id}>
                {labelOf(n, n.id)}
              </option>
            ))}
          </select>
          <button type="button" className="primary" onClick={() => void run()} disabled={running || !sampleText.trim()}>
            {running ? <Spinner label="Running…" /> : 'Run test'}
          </button>
          {result && (
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setResult(undefined);
                onRun(undefined);
              }}
            >
              Clear results
            </button>
          )}
        </div>
        <p className="muted small">Nothing is sent: targets show the request they would make.</p>
      </div>
      <div className="test-results" aria-live="polite" data-testid="test-results">
        {error && (
          <div className="error-box" role="alert">
            <p className="error-text">{error.text}</p>
            {error.problems && (
              <button type="button" onClick={onShowProblems}>
                Show the problems
              </button>
            )}
          </div>
        )}
        {!result && !error && <p className="muted">Run the flow on a sample event to see what each node receives and produces.</p>}
        {result && (
          <>
            <p>
              <strong>
                {result.paths.length} path{result.paths.length === 1 ? '' : 's'}:
              </strong>{' '}
              {summarize(result.paths)}
            </p>
            {result.paths.map((p) => (
              <PathView key={p.ruleId} path={p} byId={byId} request={requests[p.ruleId]} onJump={onJump} />
            ))}
          </>
        )}
      </div>
    </div>
  );
}

function summarize(paths: readonly PathResult[]): string {
  const n = (o: PathResult['outcome']) => paths.filter((p) => p.outcome === o).length;
  return [n('deliver') && `${n('deliver')} would deliver`, n('filtered') && `${n('filtered')} filtered out`, n('error') && `${n('error')} failed`].filter(Boolean).join(', ') || 'nothing to run';
}

function PathView({ path, byId, request, onJump }: { path: PathResult; byId: Map<string, FlowNode>; request: TargetRequestPreview | { error: string } | 'loading' | undefined; onJump: (id: string) => void }) {
  const name = (id: string) => labelOf(byId.get(id), id);
  const verdict = path.outcome === 'deliver' ? `would deliver to ${path.target.name}` : path.outcome === 'filtered' ? `filtered out by ${name(path.stoppedAt ?? '')}` : `failed at ${name(path.stoppedAt ?? '')}`;
  return (
    <section className="path-result" data-testid={`path-${path.nodeIds.join('>')}`}>
      <h3>
        {path.nodeIds.map(name).join(' → ')} <span className={`badge badge-${path.outcome === 'deliver' ? 'delivered' : path.outcome === 'filtered' ? 'filtered' : 'dead-lettered'}`}>{verdict}</span>
      </h3>
      <ol className="path-steps">
        {path.steps.map((s, i) => (
          <li key={i} className={s.error ? 'bad' : s.kind === 'filter' && !s.matched ? 'stopped' : 'ok'} data-step-node={s.nodeId}>
            <button type="button" className="link-button" onClick={() => onJump(s.nodeId)}>
              {name(s.nodeId)}
            </button>{' '}
            <span className="muted small">
              {s.kind}
              {s.kind === 'filter' ? (s.matched ? ' · matched' : ' · did not match') : ''}
            </span>
            {s.why?.length ? (
              <ul className="field-errors">
                {s.why.map((w, j) => (
                  <li key={j}>{w}</li>
                ))}
              </ul>
            ) : null}
            {s.error && <p className="field-errors">{s.error}</p>}
            <details>
              <summary className="small">Input</summary>
              <JsonView value={s.input} maxHeight={220} />
            </details>
            {s.output !== undefined && (
              <details open>
                <summary className="small">Output</summary>
                <JsonView value={s.output} maxHeight={220} label={`Output of ${s.nodeId}`} />
              </details>
            )}
          </li>
        ))}
        {path.outcome === 'deliver' && (
          <li className="ok" data-step-node={path.target.nodeId}>
            <button type="button" className="link-button" onClick={() => onJump(path.target.nodeId)}>
              {path.target.name}
            </button>{' '}
            <span className="muted small">target · the request it would send</span>
            {request === 'loading' || request === undefined ? (
              <Spinner label="Building the request…" />
            ) : 'error' in request ? (
              <p className="field-errors">{request.error}</p>
            ) : request.request ? (
              <div className="request-preview" data-testid="request-preview">
                <code>
                  {request.request.method} {request.request.url}
                </code>
                <JsonView value={Object.entries(request.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')} label="Request headers" />
                {request.request.body !== null && <JsonView value={prettyBody(request.request.body)} label="Request body" maxHeight={240} />}
              </div>
            ) : (
              <>
                <p className="muted small">{request.note}</p>
                <JsonView value={path.body} maxHeight={240} />
              </>
            )}
          </li>
        )}
      </ol>
    </section>
  );
}

function prettyBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function CapturePicker({ webhooks, onPicked }: { webhooks: FlowNode[]; onPicked: (sampleText: string) => void }) {
  const { api } = useApp();
  const [nodeId, setNodeId] = useState(webhooks[0]?.id ?? '');
  const node = webhooks.find((n) => n.id === nodeId) ?? webhooks[0];
  const sourceId = typeof node?.config.sourceId === 'string' ? node.config.sourceId : '';
  const [state, setState] = useState<CaptureState | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [using, setUsing] = useState(false);
  const armed = state?.state === 'armed';

  useEffect(() => {
    if (!armed || !sourceId) return;
    // Poll once a second until the request arrives (or the capture expires).
    const timer = setInterval(() => {
      api
        .get<CaptureState>(`/webhook-captures/${encodeURIComponent(sourceId)}`)
        .then((s) => {
          if (s.state !== 'armed') setState(s);
        })
        .catch((err: unknown) => setError(describeError(err)));
    }, 1000);
    return () => clearInterval(timer);
  }, [armed, sourceId, api]);

  if (!node || !sourceId) return <p className="muted">Add a webhook source with a source id to get a test URL.</p>;
  const url = `${location.origin}/webhooks/${sourceId}`;
  const arm = () => {
    setError(undefined);
    api
      .post<CaptureState>(`/webhook-captures/${encodeURIComponent(sourceId)}`)
      .then(setState)
      .catch((err: unknown) => setError(describeError(err)));
  };
  const use = async () => {
    const req = state?.request;
    if (!req || !node) return;
    setUsing(true);
    try {
      const res = await api.post<{ event: unknown }>('/test-run/webhook-event', { config: node.config, headers: req.headers, body: req.body, bodyEncoding: req.bodyEncoding });
      onPicked(JSON.stringify(res.event, null, 2));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setUsing(false);
    }
  };
  return (
    <div className="stack" data-testid="capture">
      {webhooks.length > 1 && (
        <select aria-label="Webhook source" value={node.id} onChange={(e) => (setNodeId(e.target.value), setState(undefined))}>
          {webhooks.map((w) => (
            <option key={w.id} value={w.id}>
              {labelOf(w, w.id)}
            </option>
          ))}
        </select>
      )}
      <p className="small">
        The next request to <code>{url}</code> is captured for this editor instead of being routed.
      </p>
      {!armed && (
        <button type="button" onClick={arm}>
          {state?.state === 'captured' ? 'Capture another request' : 'Wait for the next request'}
        </button>
      )}
      {armed && (
        <>
          <Spinner label="Waiting for a request…" />
          <code className="small">curl -X POST {url} -H 'content-type: application/json' -d @event.json</code>
          <button type="button" className="ghost" onClick={() => void api.del(`/webhook-captures/${encodeURIComponent(sourceId)}`).then(() => setState(undefined))}>
            Stop waiting
          </button>
        </>
      )}
      {state?.state === 'captured' && state.request && (
        <>
          <p className="small">
            Captured a {state.request.method} <TimeAgo iso={state.request.capturedAt} /> ({state.request.headers['content-type'] ?? 'no content type'}).
          </p>
          <JsonView value={state.request.bodyEncoding === 'base64' ? `(binary body, ${state.request.body.length} base64 characters)` : prettyBody(state.request.body)} maxHeight={160} />
          <button type="button" className="primary" onClick={() => void use()} disabled={using}>
            {using ? <Spinner label="Wrapping…" /> : 'Use as the sample event'}
          </button>
        </>
      )}
      {error && <p className="field-errors">{error}</p>}
    </div>
  );
}

function RecentPicker({ bus, webhooks, onPicked }: { bus: string; webhooks: FlowNode[]; onPicked: (sampleText: string) => void }) {
  const { api } = useApp();
  const [via, setVia] = useState(() => (webhooks[0] ? `webhook:${String(webhooks[0].config.sourceId)}` : ''));
  const [items, setItems] = useState<RecentBusEvent[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setItems(undefined);
    setError(undefined);
    const q = new URLSearchParams({ limit: '20' });
    if (via) q.set('via', via);
    api
      .get<{ items: RecentBusEvent[] }>(`/buses/${encodeURIComponent(bus)}/recent-events?${q.toString()}`)
      .then((r) => setItems(r.items))
      .catch((err: unknown) => setError(describeError(err)));
  }, [api, bus, via]);
  return (
    <div className="stack" data-testid="recent-events">
      <select aria-label="Events that came in through" value={via} onChange={(e) => setVia(e.target.value)}>
        <option value="">Any event on the bus "{bus}"</option>
        {webhooks.map((w) => (
          <option key={w.id} value={`webhook:${String(w.config.sourceId)}`}>
            Through the webhook {labelOf(w, w.id)}
          </option>
        ))}
        <option value="events">Sent to /events/{bus}</option>
      </select>
      {error && <p className="field-errors">{error}</p>}
      {!items && !error && <Spinner label="Loading recent events…" />}
      {items && !items.length && <p className="muted small">No events yet.</p>}
      {items && items.length > 0 && (
        <ul className="recent-list">
          {items.map((e) => (
            <li key={e.streamId}>
              <button type="button" className="link-button" onClick={() => onPicked(JSON.stringify(e.event, null, 2))}>
                {String(e.event.type)} · {String(e.event.id)}
              </button>{' '}
              <TimeAgo iso={e.acceptedAt} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
