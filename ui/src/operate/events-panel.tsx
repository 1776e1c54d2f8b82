import { useState } from 'react';
import type { FlowEventItem } from '../api/api-types.ts';
import { Spinner } from '../components/progress.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { TraceView } from './trace-view.tsx';
import type { FlowLiveState } from './use-flow-stream.ts';
import { TableHead } from '../components/table-head.tsx';

const STATUS_LABEL: Record<string, string> = {
  delivered: 'delivered',
  retrying: 'retrying',
  'dead-lettered': 'dead-lettered',
  filtered: 'filtered out',
  pending: 'pending',
  partial: 'partly dead-lettered',
};

/** The flow's recent events, live, with what became of each; selecting one shows its trace. */
export function EventsPanel({ flowId, live, nodeName }: { flowId: string; live: FlowLiveState; nodeName: (id: string) => string }) {
  const [selected, setSelected] = useState<FlowEventItem | undefined>();
  const events = live.events;
  const current = selected && events?.find((e) => e.streamId === selected.streamId);
  return (
    <div className="split events-panel" data-testid="events-panel">
      <div>
        <p className="small">
          <span className={`live-dot${live.connected ? '' : ' off'}`} aria-hidden="true" />
          {live.connected ? 'Live: updates as events arrive' : 'Connecting…'}
        </p>
        {!events && <Spinner label="Loading recent events…" />}
        {events && !events.length && <p className="muted">No events have reached this flow yet. Send one to its webhook, or deploy it first.</p>}
        {events && events.length > 0 && (
          <table className="table events-table">
            <TableHead columns={['Received', 'Event', 'Status']} />
            <tbody>
              {events.map((e) => (
                <tr key={e.streamId} className={`clickable${selected?.streamId === e.streamId ? ' active' : ''}`} onClick={() => setSelected(e)} data-event-id={e.id} data-status={e.status}>
                  <td>
                    <TimeAgo iso={e.acceptedAt} />
                  </td>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(e)}>
                      {e.type}
                    </button>
                    <div className="muted small mono">
                      {e.id}
                      {e.subject ? ` · ${e.subject}` : ''}
                    </div>
                  </td>
                  <td>
                    <span className={`badge badge-${e.status}`}>{STATUS_LABEL[e.status] ?? e.status}</span>
                    {e.attempts > 1 && <div className="muted small">{e.attempts} attempts</div>}
                    {e.lastError && e.status !== 'delivered' && <div className="small bad">{e.lastError}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div>
        {selected ? (
          <TraceView bus={selected.bus} streamId={selected.streamId} flowId={flowId} nodeName={nodeName} refreshKey={current ? `${current.status}:${current.attempts}` : undefined} />
        ) : (
          <p className="muted">Select an event to see its trace: the rules it matched and every delivery attempt.</p>
        )}
      </div>
    </div>
  );
}
