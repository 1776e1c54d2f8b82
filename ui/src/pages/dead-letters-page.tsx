import { DeadLettersView } from '../operate/dead-letters-view.tsx';

/** Dead letters of every flow, with filters; the flows list links here for one flow. */
export function DeadLettersPage({ flowId }: { flowId?: string }) {
  return (
    <main className="flows-page">
      <div className="page-header">
        <h1>Dead letters</h1>
      </div>
      <DeadLettersView key={flowId ?? ''} flowId={flowId} allowFlowFilter />
    </main>
  );
}
