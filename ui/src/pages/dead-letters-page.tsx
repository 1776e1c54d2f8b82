/** All dead letters, with filters (filled in with the operate step). */
export function DeadLettersPage({ flowId }: { flowId?: string }) {
  return (
    <main className="flows-page">
      <h1>Dead letters{flowId ? ` of ${flowId}` : ''}</h1>
    </main>
  );
}
