import type { Problem } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import type { NodeRunResult } from '../test-run/run-flow-test.ts';
import { ProblemsPanel } from './problems-panel.tsx';

export type PanelTab = 'problems' | 'test' | 'events' | 'dead-letters' | 'closed';

export interface EditorPanelsProps {
  tab: PanelTab;
  onTab: (tab: PanelTab) => void;
  flowId: string;
  doc: FlowDocument;
  problems: readonly Problem[];
  validatedDoc: FlowDocument;
  onJump: (nodeId: string) => void;
  sampleText: string;
  onSampleText: (text: string) => void;
  onRun: (run: Readonly<Record<string, NodeRunResult>> | undefined) => void;
  deployedVersion: number | undefined;
}

/** The panel under the canvas: problems, test run, recent events, dead letters. */
export function EditorPanels(props: EditorPanelsProps) {
  const { tab, onTab, problems } = props;
  const tabs: [PanelTab, string][] = [['problems', `Problems${problems.length ? ` (${problems.length})` : ''}`]];
  return (
    <section className={`editor-panels${tab === 'closed' ? ' closed' : ''}`} aria-label="Flow panels">
      <div className="panel-tabs" role="tablist">
        {tabs.map(([key, label]) => (
          <button key={key} type="button" role="tab" aria-selected={tab === key} className={`panel-tab${key === 'problems' && problems.length ? ' has-problems' : ''}`} onClick={() => onTab(tab === key ? 'closed' : key)}>
            {label}
          </button>
        ))}
      </div>
      {tab !== 'closed' && (
        <div className="panel-body" role="tabpanel">
          {tab === 'problems' && <ProblemsPanel doc={props.validatedDoc} problems={problems} onJump={props.onJump} />}
        </div>
      )}
    </section>
  );
}
