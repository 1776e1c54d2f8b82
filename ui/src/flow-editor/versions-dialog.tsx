import { useEffect, useState } from 'react';
import type { FlowVersion } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { Dialog } from '../components/dialog.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { Spinner } from '../components/progress.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { TableHead } from '../components/table-head.tsx';

/** Saved versions, newest first: deploy one (rollback), or open one in the editor to continue from it. */
export function VersionsDialog({ flowId, currentVersion, deployedVersion, onClose, onDeploy, onOpen }: {
  flowId: string;
  currentVersion: number;
  deployedVersion: number | undefined;
  onClose: () => void;
  onDeploy: (version: FlowVersion, all: FlowVersion[]) => void;
  onOpen: (version: FlowVersion) => void;
}) {
  const { api } = useApp();
  const [versions, setVersions] = useState<FlowVersion[] | undefined>();
  const [error, setError] = useState<unknown>();
  const load = () => {
    setError(undefined);
    api
      .get<{ items: FlowVersion[] }>(`/flows/${encodeURIComponent(flowId)}/versions`)
      .then((r) => setVersions(r.items))
      .catch(setError);
  };
  useEffect(load, [api, flowId]);
  return (
    <Dialog title="Versions" wide onClose={onClose}>
      {error !== undefined && <ErrorBox error={error} onRetry={load} />}
      {!versions && error === undefined && <Spinner label="Loading versions…" />}
      {versions && (
        <table className="table versions-table" data-testid="versions-table">
          <TableHead columns={['Version', 'Saved', 'Nodes', ' ', '']} />
          <tbody>
            {versions.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>v{v.version}</td>
                <td>
                  <TimeAgo iso={v.updatedAt} />
                </td>
                <td>{v.doc.nodes.length}</td>
                <td>
                  {v.version === deployedVersion && <span className="badge badge-deployed">deployed</span>} {v.version === currentVersion && <span className="badge">latest</span>}
                </td>
                <td className="row-actions">
                  <button type="button" className="ghost" onClick={() => onOpen(v)}>
                    Open in editor
                  </button>
                  <button type="button" className="ghost" disabled={v.version === deployedVersion} onClick={() => onDeploy(v, versions)}>
                    {deployedVersion !== undefined && v.version < deployedVersion ? 'Roll back to this' : 'Deploy this'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">Opening a version puts it on the canvas as unsaved changes; saving makes it the newest version. Deploying a version does not change the canvas.</p>
    </Dialog>
  );
}
