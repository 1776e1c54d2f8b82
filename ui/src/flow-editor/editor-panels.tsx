import { useState, type PointerEvent } from 'react';
import type { Problem } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import type { NodeRunResult } from '../test-run/run-flow-test.ts';
import { DeadLettersView } from '../operate/dead-letters-view.tsx';
import { EventsPanel } from '../operate/events-panel.tsx';
import type { FlowLiveState } from '../operate/use-flow-stream.ts';
import { TestRunPanel } from '../test-run/test-run-panel.tsx';
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
  onRun: (run: { nodes: Readonly<Record<string, NodeRunResult>>; event: Record<string, unknown> } | undefined) => void;
  deployedVersion: number | undefined;
  live: FlowLiveState;
}

/** The panel under the canvas: problems, test run, recent events, dead letters. */
export function EditorPanels(props: EditorPanelsProps) {
  const { tab, onTab, problems } = props;
  const [height, setHeight] = useState(260);
  // Drag the top edge to give the panel (or the canvas) more room.
  const startResize = (e: PointerEvent<HTMLDivElement>) => {
    const startY = e.clientY;
    const startHeight = height;
    const move = (ev: globalThis.PointerEvent) => setHeight(Math.min(Math.max(startHeight + startY - ev.clientY, 120), Math.round(window.innerHeight * 0.75)));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const tabs: [PanelTab, string][] = [
    ['problems', `Problems${problems.length ? ` (${problems.length})` : ''}`],
    ['test', 'Test run'],
    ['events', 'Events'],
    ['dead-letters', `Dead letters${props.live.deadLetters ? ` (${props.live.deadLetters})` : ''}`],
  ];
  const nodeName = (id: string) => props.doc.nodes.find((n) => n.id === id)?.name ?? id;
  return (
    <section className={`editor-panels${tab === 'closed' ? ' closed' : ''}`} aria-label="Flow panels" style={tab === 'closed' ? undefined : { height }}>
      <div className="panel-resize" role="separator" aria-orientation="horizontal" aria-label="Resize the panel" onPointerDown={startResize} />
      <div className="panel-tabs" role="tablist">
        {tabs.map(([key, label]) => (
          <button key={key} type="button" role="tab" aria-selected={tab === key} className={`panel-tab${key === 'problems' && problems.length ? ' has-problems' : ''}`} onClick={() => onTab(key)}>
            {label}
          </button>
        ))}
        <button type="button" className="ghost panel-toggle" aria-expanded={tab !== 'closed'} onClick={() => onTab(tab === 'closed' ? 'problems' : 'closed')}>
          {tab === 'closed' ? 'Show panel ▴' : 'Hide panel ▾'}
        </button>
      </div>
      {tab !== 'closed' && (
        <div className="panel-body" role="tabpanel">
          {tab === 'problems' && <ProblemsPanel doc={props.validatedDoc} problems={problems} onJump={props.onJump} />}
          {tab === 'test' && <TestRunPanel doc={props.doc} sampleText={props.sampleText} onSampleText={props.onSampleText} onRun={props.onRun} onJump={props.onJump} onShowProblems={() => onTab('problems')} />}
          {tab === 'events' && <EventsPanel flowId={props.flowId} live={props.live} nodeName={nodeName} />}
          {tab === 'dead-letters' && <DeadLettersView flowId={props.flowId} refreshKey={props.live.deadLetters} />}
        </div>
      )}
    </section>
  );
}
