import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/api-client.ts';
import type { DeadLetter, DeadLetterPage, FlowSummary } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { JsonView } from '../components/json-view.tsx';
import { ProgressBar, Spinner } from '../components/progress.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { TableHead } from '../components/table-head.tsx';

const REASONS: [string, string][] = [
  ['', 'Any reason'],
  ['attempts-exhausted', 'Retries used up'],
  ['permanent-failure', 'Permanent failure'],
  ['transform-error', 'Transform failed'],
  ['event-too-old', 'Event too old'],
];
const reasonLabel = (r: string) => REASONS.find(([k]) => k === r)?.[1] ?? r;

/** How many redrives run at once: progress stays visible and the server is not flooded. */
const REDRIVE_CONCURRENCY = 4;

export interface DeadLettersViewProps {
  /** Fixed to one flow (in the editor), or chosen by the user (the dead letters page). */
  flowId?: string;
  allowFlowFilter?: boolean;
  /** Changes when the server says the dead letters changed (live stream); the list reloads. */
  refreshKey?: unknown;
}

/** Dead letters: filter, inspect, redrive one, redrive all that match (with progress), delete. */
export function DeadLettersView({ flowId: fixedFlow, allowFlowFilter, refreshKey }: DeadLettersViewProps) {
  const { api, notify } = useApp();
  const [flowId, setFlowId] = useState(fixedFlow ?? '');
  const [reason, setReason] = useState('');
  const [page, setPage] = useState<DeadLetterPage | undefined>();
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<DeadLetter | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [progress, setProgress] = useState<{ done: number; total: number; failed: string[] } | undefined>();
  const [flows, setFlows] = useState<FlowSummary[]>([]);

  const query = useCallback(
    (cursor?: string, limit = 50) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (flowId) q.set('flowId', flowId);
      if (reason) q.set('reason', reason);
      if (cursor) q.set('cursor', cursor);
      return api.get<DeadLetterPage>(`/dead-letters?${q.toString()}`);
    },
    [api, flowId, reason],
  );

  const load = useCallback(() => {
    query()
      .then((p) => {
        setPage(p);
        setError(undefined);
        setSelected((s) => (s && p.items.some((d) => d.id === s.id) ? s : undefined));
      })
      .catch(setError);
  }, [query]);
  useEffect(load, [load, refreshKey]);
  useEffect(() => {
    if (allowFlowFilter) api.get<{ items: FlowSummary[] }>('/flows').then((r) => setFlows(r.items)).catch(() => undefined);
  }, [api, allowFlowFilter]);

  const redrive = async (dl: DeadLetter) => {
    setBusy(dl.id);
    try {
      const r = await api.post<{ deliveryId: string; usedCurrentRule: boolean }>(`/dead-letters/${encodeURIComponent(dl.id)}/redrive`);
      notify('success', `Redriven${r.usedCurrentRule ? ' with the flow as deployed now' : ''}; watch it in the flow's events.`);
      load();
    } catch (err) {
      notify('error', `Not redriven: ${describeError(err)}`);
    } finally {
      setBusy(undefined);
    }
  };

  const remove = async (dl: DeadLetter) => {
    setBusy(dl.id);
    try {
      await api.del(`/dead-letters/${encodeURIComponent(dl.id)}`);
      load();
    } catch (err) {
      notify('error', describeError(err));
    } finally {
      setBusy(undefined);
    }
  };

  const redriveAll = async () => {
    setBusy('all');
    try {
      // Every matching id first (pages of 500), then redrive them a few at a time.
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const p = await query(cursor, 500);
        ids.push(...p.items.map((d) => d.id));
        cursor = p.nextCursor;
      } while (cursor);
      const state = { done: 0, total: ids.length, failed: [] as string[] };
      setProgress({ ...state });
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          try {
            await api.post(`/dead-letters/${encodeURIComponent(id)}/redrive`);
          } catch (err) {
            state.failed.push(`${id}: ${describeError(err)}`);
          }
          state.done++;
          setProgress({ ...state, failed: [...state.failed] });
        }
      };
      await Promise.all(Array.from({ length: Math.min(REDRIVE_CONCURRENCY, ids.length) }, worker));
      notify(state.failed.length ? 'error' : 'success', `Redrove ${state.total - state.failed.length} of ${state.total} dead letters${state.failed.length ? `; ${state.failed.length} could not be redriven` : ''}.`);
      load();
    } catch (err) {
      notify('error', describeError(err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="dead-letters" data-testid="dead-letters">
      <div className="filters">
        {allowFlowFilter && (
          <div className="field">
            <label htmlFor="dl-flow">Flow</label>
            <select id="dl-flow" value={flowId} onChange={(e) => setFlowId(e.target.value)}>
              <option value="">All flows</option>
              {flows.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
              {flowId && !flows.some((f) => f.id === flowId) && <option value={flowId}>{flowId}</option>}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="dl-reason">Reason</label>
          <select id="dl-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            {REASONS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="ghost" onClick={load}>
          Refresh
        </button>
        <button type="button" onClick={() => void redriveAll()} disabled={Boolean(busy) || !page?.items.length}>
          {busy === 'all' ? <Spinner label="Redriving…" /> : 'Redrive all that match'}
        </button>
      </div>
      {progress && (busy === 'all' || progress.failed.length > 0) && (
        <div className="stack">
          <ProgressBar done={progress.done} total={progress.total} label="Redriving" />
          {progress.failed.length > 0 && (
            <ul className="field-errors">
              {progress.failed.slice(0, 5).map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error !== undefined && <ErrorBox error={error} onRetry={load} />}
      {!page && error === undefined && <Spinner label="Loading dead letters…" />}
      {page && !page.items.length && <p className="muted">No dead letters{flowId || reason ? ' match' : ''}. Deliveries that fail for good land here, with every attempt, until redriven or deleted.</p>}
      {page && page.items.length > 0 && (
        <div className="split">
          <table className="table dead-letters-table">
            <TableHead columns={['Failed', 'Target', 'Why', '']} />
            <tbody>
              {page.items.map((dl) => (
                <tr key={dl.id} className={`clickable${selected?.id === dl.id ? ' active' : ''}`} onClick={() => setSelected(dl)} data-dead-letter={dl.id}>
                  <td>
                    <TimeAgo iso={dl.createdAt} />
                    <div className="muted small mono">{String(dl.delivery.event.id)}</div>
                  </td>
                  <td>
                    {dl.delivery.target.name}
                    {!fixedFlow && <div className="muted small">{dl.delivery.flowId}</div>}
                  </td>
                  <td>
                    <span className="badge badge-dead-lettered">{reasonLabel(dl.reason)}</span>
                    <div className="small">{dl.lastError.message}</div>
                  </td>
                  <td className="row-actions">
                    <button type="button" onClick={(e) => (e.stopPropagation(), void redrive(dl))} disabled={Boolean(busy)}>
                      {busy === dl.id ? <Spinner label="…" /> : 'Redrive'}
                    </button>
                    <button type="button" className="ghost danger" onClick={(e) => (e.stopPropagation(), void remove(dl))} disabled={Boolean(busy)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div>{selected ? <DeadLetterDetail dl={selected} /> : <p className="muted">Select a dead letter to see every attempt, the last error and the event.</p>}</div>
        </div>
      )}
      {page?.nextCursor && (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            query(page.nextCursor)
              .then((more) => setPage({ ...more, items: [...page.items, ...more.items] }))
              .catch((err: unknown) => notify('error', describeError(err)));
          }}
        >
          Load more
        </button>
      )}
    </div>
  );
}

function DeadLetterDetail({ dl }: { dl: DeadLetter }) {
  return (
    <div className="dead-letter-detail" data-testid="dead-letter-detail">
      <h3>{reasonLabel(dl.reason)}</h3>
      <p className="bad">
        {dl.lastError.message}
        {dl.lastError.status ? ` (HTTP ${dl.lastError.status})` : ''}
      </p>
      <p className="small muted">
        Rule {dl.delivery.ruleName} · flow version {dl.delivery.flowVersion}
        {dl.delivery.redrive ? ` · redriven ${dl.delivery.redrive}×` : ''}
      </p>
      <h4>Attempts</h4>
      {dl.attempts.length ? (
        <table className="table small">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>Result</th>
              <th>Took</th>
            </tr>
          </thead>
          <tbody>
            {dl.attempts.map((a) => (
              <tr key={`${a.attempt}-${a.at}`}>
                <td>{a.attempt}</td>
                <td>{new Date(a.at).toLocaleTimeString()}</td>
                <td>
                  {a.ok ? 'ok' : `${a.status ? `HTTP ${a.status}` : a.errorKind ?? 'failed'}${a.error ? `: ${a.error}` : ''}`}
                  {a.responseExcerpt && <div className="muted mono">{a.responseExcerpt.slice(0, 200)}</div>}
                </td>
                <td>{Math.round(a.durationMs)} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No attempt was made (it failed before sending).</p>
      )}
      <details>
        <summary className="small">The body it tried to send</summary>
        <JsonView value={dl.delivery.body} maxHeight={200} />
      </details>
      <details>
        <summary className="small">The event</summary>
        <JsonView value={dl.delivery.event} maxHeight={200} />
      </details>
    </div>
  );
}
