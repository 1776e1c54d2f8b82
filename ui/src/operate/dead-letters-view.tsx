import { useCallback, useEffect, useMemo, useState } from 'react';
import { describeError } from '../api/api-client.ts';
import type { BulkRedrive, DeadLetter, DeadLetterPage, FlowSummary } from '../api/api-types.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useApp } from '../app/app-context.tsx';
import { useBusyAction } from '../app/use-busy-action.ts';
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
  ['target-disabled', 'Target gone (410)'],
];
const reasonLabel = (r: string) => REASONS.find(([k]) => k === r)?.[1] ?? r;

const PROGRESS_POLL_MS = 500;

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
  const [busy, run] = useBusyAction();
  const [progress, setProgress] = useState<BulkRedrive | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [flows, setFlows] = useState<FlowSummary[]>([]);

  const filter = useMemo(() => ({ ...(flowId ? { flowId } : {}), ...(reason ? { reason } : {}) }), [flowId, reason]);
  const query = useCallback(
    (cursor?: string, limit = 50) => {
      const q = new URLSearchParams({ limit: String(limit), ...filter });
      if (cursor) q.set('cursor', cursor);
      return api.get<DeadLetterPage>(`/dead-letters?${q.toString()}`);
    },
    [api, filter],
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

  const redrive = (dl: DeadLetter) =>
    run(dl.id, async () => {
      const r = await api.post<{ deliveryId: string; usedCurrentRule: boolean }>(`/dead-letters/${encodeURIComponent(dl.id)}/redrive`);
      notify('success', `Redriven${r.usedCurrentRule ? ' with the flow as deployed now' : ''}; watch it in the flow's events.`);
      load();
    }, 'Not redriven: ');

  const remove = (dl: DeadLetter) =>
    run(dl.id, async () => {
      await api.del(`/dead-letters/${encodeURIComponent(dl.id)}`);
      load();
    });

  // The server redrives in bulk (and keeps going if this page closes); the page shows its progress.
  const redriveAll = () =>
    run('all', async () => {
      let bulk = await api.post<BulkRedrive>('/dead-letters/redrives', { filter });
      setProgress(bulk);
      while (bulk.status === 'running') {
        await new Promise((r) => setTimeout(r, PROGRESS_POLL_MS));
        bulk = await api.get<BulkRedrive>(`/dead-letters/redrives/${encodeURIComponent(bulk.id)}`);
        setProgress(bulk);
      }
      const skipped = bulk.skipped ? `, ${bulk.skipped} were already gone` : '';
      notify(bulk.failed || bulk.status === 'failed' ? 'error' : 'success', `Redrove ${bulk.redriven} of ${bulk.total} dead letters${bulk.failed ? `; ${bulk.failed} could not be redriven` : ''}${skipped}.`);
      load();
    }, 'Redrive stopped: ');

  const deleteAll = () =>
    run('delete-all', async () => {
      const q = new URLSearchParams(Object.keys(filter).length ? filter : { all: 'true' });
      const r = await api.del<{ deleted?: number } | undefined>(`/dead-letters?${q.toString()}`);
      notify('success', `Deleted ${r?.deleted ?? 'the'} dead letter${r?.deleted === 1 ? '' : 's'} that matched.`);
      load();
    });

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
          {busy === 'all' ? <Spinner label="Redriving…" /> : `Redrive all that match${page?.total !== undefined && !Object.keys(filter).length ? ` (${page.total})` : ''}`}
        </button>
        <button type="button" className="ghost danger" onClick={() => setConfirmDelete(true)} disabled={Boolean(busy) || !page?.items.length}>
          {busy === 'delete-all' ? <Spinner label="Deleting…" /> : 'Delete all that match'}
        </button>
      </div>
      {progress && (busy === 'all' || progress.errors.length > 0) && (
        <div className="stack" data-testid="redrive-progress">
          <ProgressBar done={progress.redriven + progress.failed + progress.skipped} total={progress.total} label="Redriving" />
          {progress.errors.length > 0 && (
            <ul className="field-errors">
              {progress.errors.slice(0, 5).map((f) => (
                <li key={f.deadLetterId}>
                  {f.deadLetterId}: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {confirmDelete && (
        <ConfirmDialog title="Delete the dead letters that match?" confirmLabel="Delete them" onClose={() => setConfirmDelete(false)} onConfirm={() => void deleteAll()}>
          <p>{Object.keys(filter).length ? 'Every dead letter matching the filter is deleted for good; the events stay in the bus archive.' : 'No filter is set: every dead letter is deleted for good; the events stay in the bus archive.'}</p>
        </ConfirmDialog>
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
