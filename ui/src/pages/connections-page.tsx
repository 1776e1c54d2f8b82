import { useState } from 'react';
import { describeError } from '../api/api-client.ts';
import type { ConnectionView } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { useBusyAction } from '../app/use-busy-action.ts';
import { flowPath, navigate } from '../app/route.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { Spinner } from '../components/progress.tsx';
import { TableHead } from '../components/table-head.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { ConnectionDialog } from '../connections/connection-dialog.tsx';
import { useConnections } from '../connections/use-connections.ts';

/** Stored credentials: create, edit (secrets never shown again), test, see which flows use them, delete. */
export function ConnectionsPage() {
  const { api, notify } = useApp();
  const { data, error, unavailable, reload } = useConnections();
  const [editing, setEditing] = useState<ConnectionView | 'new' | undefined>();
  const [deleting, setDeleting] = useState<ConnectionView | undefined>();
  const [testing, run] = useBusyAction();

  const test = (c: ConnectionView) =>
    run(c.id, async () => {
      const r = await api.post<{ ok: boolean; message: string }>(`/connections/${encodeURIComponent(c.id)}/test`);
      notify(r.ok ? 'success' : 'error', `${c.name}: ${r.message}`);
      reload();
    });

  return (
    <main className="flows-page">
      <div className="page-header">
        <h1>Connections</h1>
        <button type="button" className="primary" disabled={!data} onClick={() => setEditing('new')}>
          New connection
        </button>
      </div>
      {unavailable && <p className="muted">This flowbridge has no connections API.</p>}
      {error !== undefined && !unavailable && <ErrorBox error={error} onRetry={reload} />}
      {!data && error === undefined && <Spinner label="Loading connections…" />}
      {data && !data.items.length && <p className="muted">No connections yet. A connection keeps credentials (basic, API key, bearer, OAuth2 client credentials, HMAC signing) encrypted on the server; targets name it instead of holding secrets.</p>}
      {data && data.items.length > 0 && (
        <table className="table" data-testid="connections-table">
          <TableHead columns={['Name', 'Kind', 'Health', 'Used by', '']} />
          <tbody>
            {data.items.map((c) => (
              <tr key={c.id} data-connection-id={c.id}>
                <td>
                  {c.name}
                  <div className="muted small mono">{c.id}</div>
                </td>
                <td>{c.kind}</td>
                <td>
                  {c.health ? (
                    <>
                      <span className={`badge badge-${c.health.status === 'ok' ? 'delivered' : 'dead-lettered'}`}>{c.health.status}</span>
                      <div className="small muted">
                        {c.health.message} · <TimeAgo iso={c.health.at} />
                      </div>
                    </>
                  ) : (
                    <span className="muted">not tested</span>
                  )}
                </td>
                <td>
                  {c.usedBy.length ? (
                    c.usedBy.map((u) => (
                      <div key={`${u.flowId}/${u.nodeId}`}>
                        <a href={flowPath(u.flowId)} onClick={(e) => (e.preventDefault(), navigate(flowPath(u.flowId)))}>
                          {u.flowId}
                        </a>{' '}
                        <span className="muted small">({u.nodeId})</span>
                      </div>
                    ))
                  ) : (
                    <span className="muted">no flow</span>
                  )}
                </td>
                <td className="row-actions">
                  <button type="button" className="ghost" onClick={() => void test(c)} disabled={Boolean(testing)}>
                    {testing === c.id ? <Spinner label="Testing…" /> : 'Test'}
                  </button>
                  <button type="button" className="ghost" onClick={() => setEditing(c)}>
                    Edit
                  </button>
                  <button type="button" className="ghost danger" onClick={() => setDeleting(c)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && data && (
        <ConnectionDialog
          kinds={data.kinds}
          existing={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(c) => {
            setEditing(undefined);
            notify('success', `Saved "${c.name}".`);
            reload();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete "${deleting.name}"?`}
          confirmLabel="Delete connection"
          onClose={() => setDeleting(undefined)}
          onConfirm={() => {
            const c = deleting;
            api
              .del(`/connections/${encodeURIComponent(c.id)}`)
              .then(() => (notify('success', `Deleted "${c.name}".`), reload()))
              .catch((err: unknown) => notify('error', describeError(err)));
          }}
        >
          {deleting.usedBy.length ? <p className="bad">Used by {deleting.usedBy.length} node(s): their deliveries will fail until they name another connection.</p> : <p>No flow uses it.</p>}
        </ConfirmDialog>
      )}
    </main>
  );
}
