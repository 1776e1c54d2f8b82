// A local HTTP receiver for delivery tests: records every request with when it arrived,
// when (and how) it was answered and whether the sender went away first, tracks how many
// are in flight (overall and per ordering key), and answers through a script the test
// can change at any time.
import { startRecordingServer, type RecordedRequest, type Reply } from '../../support/recording-server.ts';

export type Received = RecordedRequest;
export type Answer = Reply;

export type Script = (req: Received, index: number) => Answer;

export interface Receiver {
  url: string;
  requests: Received[];
  /** Requests received and not yet answered or aborted. */
  readonly inFlight: number;
  /** The most requests in flight at once since the start (or the last `resetPeak`). */
  readonly peakInFlight: number;
  resetPeak(): void;
  /** The most requests in flight at once per key (`keyOf` of each request). */
  peakPerKey(keyOf: (r: Received) => string): number;
  setScript(script: Script): void;
  /** Resolves once `check` holds on the requests (checked on each request and every 50 ms). */
  until(check: (requests: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(script: Script = () => ({ status: 200, body: '{"ok":true}' })): Promise<Receiver> {
  let current = script;
  const server = await startRecordingServer((req, index) => current(req, index), { keepAliveTimeoutMs: 5000 });
  const requests = server.requests;
  return {
    url: server.url,
    requests,
    get inFlight() {
      return server.inFlight;
    },
    get peakInFlight() {
      return server.peakInFlight;
    },
    resetPeak: () => server.resetPeak(),
    peakPerKey(keyOf) {
      // Sweep the [at, answeredAt) intervals of each key.
      const edges = new Map<string, [number, number][]>();
      for (const r of requests) {
        const list = edges.get(keyOf(r)) ?? [];
        list.push([r.at, 1], [r.answeredAt ?? Number.MAX_SAFE_INTEGER, -1]);
        edges.set(keyOf(r), list);
      }
      let best = 0;
      for (const list of edges.values()) {
        let n = 0;
        for (const [, d] of list.sort((a, b) => a[0] - b[0] || a[1] - b[1])) best = Math.max(best, (n += d));
      }
      return best;
    },
    setScript(s) {
      current = s;
    },
    until(check, timeoutMs = 15_000, what = 'the expected requests') {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const tick = () => {
          if (check(requests)) return resolve();
          if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what} (${requests.length} requests so far)`));
          setTimeout(tick, 50);
        };
        tick();
      });
    },
    close: () => server.close(),
  };
}
