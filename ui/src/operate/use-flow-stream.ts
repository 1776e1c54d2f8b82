// Live updates of one flow over server-sent events (read with fetch, so the admin token
// goes in a header). Reconnects with a growing pause when the connection drops.
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/api-client.ts';
import type { FlowEventItem } from '../api/api-types.ts';

export interface FlowLiveState {
  connected: boolean;
  events: FlowEventItem[] | undefined;
  deadLetters: number | undefined;
  deployedVersion: number | null | undefined;
  version: number | null | undefined;
}

const INITIAL: FlowLiveState = { connected: false, events: undefined, deadLetters: undefined, deployedVersion: undefined, version: undefined };

export function useFlowStream(api: ApiClient, flowId: string, enabled = true): FlowLiveState {
  const [state, setState] = useState<FlowLiveState>(INITIAL);
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let retry = 0;
    const connect = async () => {
      while (!abort.signal.aborted) {
        try {
          await api.stream(
            `/flows/${encodeURIComponent(flowId)}/stream`,
            (event, data) => {
              retry = 0;
              const d = data as Record<string, unknown>;
              if (event === 'events') setState((s) => ({ ...s, connected: true, events: d.items as FlowEventItem[] }));
              else if (event === 'stats') setState((s) => ({ ...s, connected: true, deadLetters: d.deadLetters as number, deployedVersion: d.deployedVersion as number | null, version: d.version as number | null }));
            },
            abort.signal,
          );
        } catch {
          // Dropped or refused: shown as "reconnecting", tried again below.
        }
        if (abort.signal.aborted) return;
        setState((s) => ({ ...s, connected: false }));
        retry++;
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retry, 15_000)));
      }
    };
    void connect();
    return () => abort.abort();
  }, [api, flowId, enabled]);
  return state;
}
