import type { Problem } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { configFieldOf, problemText } from '../model/flow-model.ts';

const NODE_PATH = /^nodes\[(\d+)\]/;

/** Every validation problem, each naming its node; clicking one selects the node and shows it. */
export function ProblemsPanel({ doc, problems, onJump }: { doc: FlowDocument; problems: readonly Problem[]; onJump: (nodeId: string) => void }) {
  if (!problems.length) {
    return (
      <p className="ok-text" data-testid="problems-none">
        ✓ No problems: this flow can be deployed.
      </p>
    );
  }
  return (
    <ul className="problems-list" data-testid="problems-list">
      {problems.map((p, i) => {
        const m = NODE_PATH.exec(p.path);
        const node = m ? doc.nodes[Number(m[1])] : undefined;
        const where = node ? (node.name ?? node.id) : p.path.startsWith('edges') ? 'Connection' : 'Flow';
        const index = m ? Number(m[1]) : -1;
        const configField = node ? configFieldOf(p, index) : undefined;
        const field = !node ? '' : configField !== undefined ? (configField ? `config.${configField}` : 'config') : p.path.replace(NODE_PATH, '').replace(/^\./, '');
        return (
          <li key={i}>
            <button type="button" className="problem" disabled={!node} onClick={() => node && onJump(node.id)}>
              <span className="problem-where">{where}</span>
              {field && <code className="problem-field">{field}</code>}
              <span className="problem-text">{problemText(p)}</span>
              <span className="problem-code muted">{p.code}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
