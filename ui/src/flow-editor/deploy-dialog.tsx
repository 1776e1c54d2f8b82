import { useMemo, useState } from 'react';
import type { Problem } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { describeError } from '../api/api-client.ts';
import type { DeployResult } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { Dialog } from '../components/dialog.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Spinner } from '../components/progress.tsx';
import { diffFlows, type DiffEntry } from '../model/flow-diff.ts';
import { problemText } from '../model/flow-model.ts';

export interface DeployPlan {
  /** The deployed document and its version; undefined when nothing is deployed. */
  before: { version: number; doc: FlowDocument } | undefined;
  after: { version: number; doc: FlowDocument };
  problems: readonly Problem[];
  /** A rollback deploys an older version. */
  rollback: boolean;
}

const SHOWN = 80;

function full(v: unknown): string {
  if (v === undefined) return '(not set)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function show(v: unknown): string {
  const s = full(v);
  return s.length > SHOWN ? `${s.slice(0, SHOWN - 1)}…` : s;
}

export function DiffList({ entries }: { entries: readonly DiffEntry[] }) {
  if (!entries.length) return <p className="muted">No change in behaviour (only positions on the canvas, if anything).</p>;
  return (
    <ul className="diff-list" data-testid="deploy-diff">
      {entries.map((e, i) => (
        <li key={i} className={`diff-${e.kind}`}>
          <span className="diff-kind">{e.kind}</span> <span className="diff-what">{e.what === 'flow' ? '' : e.what}</span> <strong>{e.label}</strong>
          {'changes' in e && (
            <ul>
              {e.changes.map((c, j) => (
                <li key={j}>
                  <code>{c.path}</code>: <del>{show(c.before)}</del> → <ins>{show(c.after)}</ins>
                  {(full(c.before).length > SHOWN || full(c.after).length > SHOWN) && (
                    <details>
                      <summary className="small">In full</summary>
                      <JsonView value={c.before === undefined ? '(not set)' : c.before} label={`${c.path} before`} maxHeight={160} />
                      <JsonView value={c.after === undefined ? '(not set)' : c.after} label={`${c.path} after`} maxHeight={160} />
                    </details>
                  )}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Shows what a deploy changes against what runs now, then deploys (or rolls back) on confirmation. */
export function DeployDialog({ flowId, plan, onClose, onDeployed }: { flowId: string; plan: DeployPlan; onClose: () => void; onDeployed: (result: DeployResult) => void }) {
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const entries = useMemo(() => diffFlows(plan.before?.doc, plan.after.doc), [plan]);
  const blocked = plan.problems.length > 0;
  const deploy = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDeployed(await api.post<DeployResult>(`/flows/${encodeURIComponent(flowId)}/deploy`, { version: plan.after.version }));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const title = plan.rollback ? `Roll back to version ${plan.after.version}?` : `Deploy version ${plan.after.version}?`;
  return (
    <Dialog
      title={title}
      wide
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy || blocked} onClick={() => void deploy()} data-testid="confirm-deploy">
            {busy ? <Spinner label="Deploying…" /> : plan.rollback ? `Roll back to v${plan.after.version}` : `Deploy v${plan.after.version}`}
          </button>
        </>
      }
    >
      <p>{plan.before ? `Version ${plan.before.version} runs now. Deploying version ${plan.after.version} changes:` : 'Nothing of this flow runs yet. Deploying it adds:'}</p>
      <DiffList entries={entries} />
      {blocked && (
        <div className="error-box" role="alert">
          <strong>
            Version {plan.after.version} has {plan.problems.length} problem{plan.problems.length === 1 ? '' : 's'}; the server would refuse it.
          </strong>
          <ul>
            {plan.problems.slice(0, 8).map((p, i) => (
              <li key={i}>
                <code>{p.path || 'flow'}</code> {problemText(p)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <div className="error-box" role="alert">
          <p className="error-text">{error}</p>
        </div>
      )}
    </Dialog>
  );
}
