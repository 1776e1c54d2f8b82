import { useEffect, useState } from 'react';
import type { StoredEventView, TraceEntry } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Spinner } from '../components/progress.tsx';

/** One trace entry in words. */
export function describeTraceEntry(t: TraceEntry, nodeName: (id: string) => string): { text: string; tone: 'ok' | 'bad' | 'warn' | '' } {
  switch (t.kind) {
    case 'routed':
      return { text: `Routed: ${t.rules ?? 0} rule${t.rules === 1 ? '' : 's'} matched on the bus`, tone: '' };
    case 'matched':
      return { text: `Matched rule ${t.ruleId ?? ''}; queued for ${t.target ?? 'its target'}`, tone: '' };
    case 'filtered':
      return { text: `Filtered out by ${t.nodeId ? nodeName(t.nodeId) : 'a filter'}`, tone: '' };
    case 'attempt': {
      const what = t.ok ? `delivered (HTTP ${t.status ?? '?'})` : `failed${t.status ? ` (HTTP ${t.status})` : ''}${t.error ? `: ${t.error}` : ''}`;
      return { text: `Attempt ${t.attempt ?? '?'} ${what} in ${Math.round(t.durationMs ?? 0)} ms`, tone: t.ok ? 'ok' : 'bad' };
    }
    case 'delivered':
      return { text: 'Delivered', tone: 'ok' };
    case 'dead-lettered':
      return { text: `Dead-lettered (${t.reason ?? 'failed'})${t.error ? `: ${t.error}` : ''}`, tone: 'bad' };
    case 'transform-error':
      return { text: `Transform failed: ${t.error ?? ''}`, tone: 'bad' };
    case 'redriven':
      return { text: `Redriven from the dead letters as ${t.deliveryId ?? 'a new delivery'}`, tone: 'warn' };
    default:
      return { text: t.kind, tone: '' };
  }
}

/** An event and its trace (this flow's part of it): accepted, matched, each attempt with status, duration and response. */
export function TraceView({ bus, streamId, flowId, refreshKey, nodeName }: { bus: string; streamId: string; flowId?: string; refreshKey?: string; nodeName: (id: string) => string }) {
  const { api } = useApp();
  const [view, setView] = useState<StoredEventView | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    api
      .get<StoredEventView>(`/buses/${encodeURIComponent(bus)}/events/${encodeURIComponent(streamId)}`)
      .then((v) => live && (setView(v), setError(undefined)))
      .catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, [api, bus, streamId, refreshKey]);
  if (error !== undefined) return <ErrorBox error={error} />;
  if (!view) return <Spinner label="Loading the trace…" />;
  const entries = view.trace.filter((t) => !flowId || t.kind === 'routed' || t.flowId === flowId);
  const hidden = view.trace.length - entries.length;
  return (
    <div className="trace" data-testid="trace">
      <h3>
        {String(view.event.type)} <span className="muted small mono">{String(view.event.id)}</span>
      </h3>
      <p className="small muted">
        Accepted {new Date(view.acceptedAt).toLocaleString()} via {view.via} · source {String(view.event.source)} · bus {view.bus} · {view.streamId}
      </p>
      <ol className="timeline">
        <li className="ok">Accepted and stored (persisted before the 2xx)</li>
        {entries.map((t, i) => {
          const d = describeTraceEntry(t, nodeName);
          return (
            <li key={i} className={d.tone} data-trace-kind={t.kind}>
              <span>{d.text}</span> <span className="muted small">{new Date(t.at).toLocaleTimeString()}</span>
              {t.responseExcerpt && (
                <details>
                  <summary className="small">Response</summary>
                  <JsonView value={t.responseExcerpt} maxHeight={120} />
                </details>
              )}
            </li>
          );
        })}
      </ol>
      {hidden > 0 && <p className="muted small">{hidden} trace entries of other flows are not shown.</p>}
      <details>
        <summary className="small">The event</summary>
        <JsonView value={view.event} maxHeight={260} />
      </details>
    </div>
  );
}
