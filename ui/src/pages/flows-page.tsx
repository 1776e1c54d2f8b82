import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../api/api-client.ts';
import type { FlowStats, FlowSummary, FlowView } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { useBusyAction } from '../app/use-busy-action.ts';
import { flowPath, navigate } from '../app/route.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Dialog } from '../components/dialog.tsx';
import { downloadJson } from '../components/download.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Spinner } from '../components/progress.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { flowFileName, parseFlowFile, toFlowFile } from '../model/flow-file.ts';
import { readDraft } from '../model/local-draft.ts';
import { TableHead } from '../components/table-head.tsx';

interface Row extends FlowSummary {
  stats: FlowStats | undefined;
  localDraft: boolean;
}

/** The status a flow shows in the list. */
export function flowStatus(f: { version: number; deployedVersion: number | undefined }, localDraft: boolean): { label: string; kind: 'draft' | 'deployed' | 'changed' | 'unsaved' } {
  if (localDraft) return { label: 'Unsaved changes', kind: 'unsaved' };
  if (f.deployedVersion === undefined) return { label: 'Draft', kind: 'draft' };
  if (f.deployedVersion !== f.version) return { label: `Deployed v${f.deployedVersion} · v${f.version} not deployed`, kind: 'changed' };
  return { label: `Deployed v${f.deployedVersion}`, kind: 'deployed' };
}

export function FlowsPage() {
  const { api, notify } = useApp();
  const [rows, setRows] = useState<Row[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Row | undefined>();
  const [busy, run] = useBusyAction();
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const [flows, stats] = await Promise.all([
        api.get<{ items: FlowSummary[] }>('/flows'),
        api.get<{ items: FlowStats[] }>('/flow-stats').catch(() => ({ items: [] as FlowStats[] })),
      ]);
      const byId = new Map(stats.items.map((s) => [s.flowId, s]));
      setRows(flows.items.map((f) => ({ ...f, stats: byId.get(f.id), localDraft: readDraft(f.id)?.baseVersion === f.version })));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [api]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, [load]);

  const create = (doc: FlowDocument, how: string) =>
    run(how, async () => {
      try {
        const created = await api.post<FlowView>('/flows', doc);
        navigate(flowPath(created.id));
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'ERR_CONFLICT' && doc.id)) throw err;
        // The id is taken: import as a copy under a fresh id instead of failing.
        const { id: _id, ...rest } = doc;
        const created = await api.post<FlowView>('/flows', rest);
        notify('info', `A flow with the id "${doc.id}" exists; imported as "${created.id}".`);
        navigate(flowPath(created.id));
      }
    });

  const duplicate = (row: Row) =>
    run(`duplicate-${row.id}`, async () => {
      const view = await api.get<FlowView>(`/flows/${encodeURIComponent(row.id)}`);
      const { id: _id, version: _v, ...doc } = view.doc;
      const created = await api.post<FlowView>('/flows', { ...doc, name: `${doc.name} (copy)` });
      notify('success', `Duplicated as "${created.doc.name}".`);
      await load();
    });

  const exportFlow = async (row: Row) => {
    try {
      const view = await api.get<FlowView>(`/flows/${encodeURIComponent(row.id)}`);
      downloadJson(flowFileName(view.doc), toFlowFile(view.doc));
    } catch (err) {
      notify('error', describeError(err));
    }
  };

  const importFile = async (file: File) => {
    let doc: FlowDocument;
    try {
      doc = parseFlowFile(await file.text());
    } catch (err) {
      notify('error', `${file.name}: ${describeError(err)}`);
      return;
    }
    await create(doc, 'import');
  };

  return (
    <main className="flows-page">
      <div className="page-header">
        <h1>Flows</h1>
        <div className="actions">
          <button type="button" onClick={() => fileInput.current?.click()} disabled={Boolean(busy)}>
            {busy === 'import' ? <Spinner label="Importing…" /> : 'Import…'}
          </button>
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            hidden
            aria-label="Import a flow file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New flow
          </button>
        </div>
      </div>
      {error !== undefined && <ErrorBox title="The flows could not be loaded" error={error} onRetry={() => void load()} />}
      {!rows && error === undefined && <Spinner label="Loading flows…" />}
      {rows && rows.length === 0 && (
        <div className="empty-state">
          <h2>No flows yet</h2>
          <p>A flow takes events from a source (a webhook, the bus), filters and reshapes them, and delivers them to targets.</p>
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create your first flow
          </button>
        </div>
      )}
      {rows && rows.length > 0 && (
        <table className="table flows-table">
          <TableHead columns={['Name', 'Status', 'Last event', 'Errors', 'Updated', '']} />
          <tbody>
            {rows.map((row) => {
              const status = flowStatus(row, row.localDraft);
              return (
                <tr key={row.id} data-flow-id={row.id}>
                  <td>
                    <a
                      href={flowPath(row.id)}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(flowPath(row.id));
                      }}
                    >
                      {row.name}
                    </a>
                    <div className="muted small">{row.id}</div>
                  </td>
                  <td>
                    <span className={`badge badge-${status.kind}`}>{status.label}</span>
                  </td>
                  <td>
                    <TimeAgo iso={row.stats?.lastEventAt} />
                  </td>
                  <td>
                    {row.stats?.deadLetters ? (
                      <a
                        className="error-count"
                        href={`/dead-letters?flowId=${encodeURIComponent(row.id)}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/dead-letters?flowId=${encodeURIComponent(row.id)}`);
                        }}
                      >
                        {row.stats.deadLetters} dead letter{row.stats.deadLetters === 1 ? '' : 's'}
                      </a>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                  <td>
                    <TimeAgo iso={row.updatedAt} />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="ghost" onClick={() => void duplicate(row)} disabled={Boolean(busy)}>
                      {busy === `duplicate-${row.id}` ? <Spinner label="Duplicating…" /> : 'Duplicate'}
                    </button>
                    <button type="button" className="ghost" onClick={() => void exportFlow(row)}>
                      Export
                    </button>
                    <button type="button" className="ghost danger" onClick={() => setDeleting(row)}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {creating && <NewFlowDialog busy={busy === 'new'} onClose={() => setCreating(false)} onCreate={(name) => void create({ name, nodes: [], edges: [] }, 'new')} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete "${deleting.name}"?`}
          confirmLabel="Delete flow"
          onClose={() => setDeleting(undefined)}
          onConfirm={() => {
            const row = deleting;
            api
              .del(`/flows/${encodeURIComponent(row.id)}`)
              .then(() => {
                notify('success', `Deleted "${row.name}".`);
                return load();
              })
              .catch((err: unknown) => notify('error', describeError(err)));
          }}
        >
          <p>
            The flow, all its saved versions{deleting.deployedVersion !== undefined ? ' and its deployment (its webhook stops accepting events)' : ''} are removed. Its events stay in the bus archive.
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}

function NewFlowDialog({ onClose, onCreate, busy }: { onClose: () => void; onCreate: (name: string) => void; busy: boolean }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the flow a name.');
      return;
    }
    onCreate(name.trim());
  };
  return (
    <Dialog title="New flow" onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label htmlFor="new-flow-name">Name</label>
        <input id="new-flow-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="ERP employees to attendance" aria-invalid={Boolean(error) || undefined} />
        {error && (
          <p className="field-errors" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-footer inline">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? <Spinner label="Creating…" /> : 'Create flow'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
