import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { CanvasNode } from '../model/flow-model.ts';
import { describeNodeKind } from '../model/node-catalog.ts';
import { problemText } from '../model/flow-model.ts';
import { useDecorations } from './decorations.ts';
import { summarizeNode } from './node-summary.ts';

const ROLE_ICON: Record<string, string> = { source: '⇥', filter: '⧩', transform: 'ƒ', target: '➜' };
const RUN_LABEL: Record<string, string> = { passed: 'passed', stopped: 'filtered out', error: 'failed', 'would-deliver': 'would deliver', 'not-reached': 'not reached' };

/** A node on the canvas: role, name, what it does, its problems and its last test-run result. */
export const FlowNodeView = memo(function FlowNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const { problems, run, kindOf } = useDecorations();
  const kind = kindOf(data.type);
  const role = kind?.role ?? 'unknown';
  const own = problems.get(id);
  const result = run?.[id];
  const title = data.name || describeNodeKind(data.type, data.config, kind);
  return (
    <div
      className={`flow-node role-${role}${selected ? ' selected' : ''}${own?.length ? ' has-problems' : ''}${result ? ` run-${result.status}` : ''}`}
      data-node-id={id}
      data-testid={`node-${id}`}
      title={own?.length ? own.map(problemText).join('\n') : undefined}
    >
      {role !== 'source' && <Handle type="target" position={Position.Left} className="handle handle-in" />}
      <div className="flow-node-head">
        <span className="flow-node-icon" aria-hidden="true">
          {ROLE_ICON[role] ?? '?'}
        </span>
        <span className="flow-node-title">{title}</span>
        {own?.length ? (
          <span className="flow-node-problems" aria-label={`${own.length} problem${own.length === 1 ? '' : 's'}`}>
            {own.length}
          </span>
        ) : null}
      </div>
      <div className="flow-node-kind">
        {kind ? describeNodeKind(data.type, data.config, kind) : `unknown kind ${data.type}`} · <span className="mono">{id}</span>
      </div>
      <div className="flow-node-summary mono">{summarizeNode(data.type, data.config)}</div>
      {result && result.status !== 'not-reached' && <div className={`flow-node-run run-${result.status}`}>Test run: {RUN_LABEL[result.status]}</div>}
      {role !== 'target' && <Handle type="source" position={Position.Right} className="handle handle-out" />}
    </div>
  );
});
