// A local HTTP server standing in for a SaaS target: records every request and answers
// from a script (fail N times, 429 with Retry-After, hang, 400), so tests can make a target
// misbehave exactly as real ones do.
import { startRecordingServer, type RecordedRequest, type Reply } from './recording-server.ts';

export type ReceivedRequest = RecordedRequest;
export type { Reply };

export interface FakeTarget {
  url: string;
  received: ReceivedRequest[];
  /** Replies to use for the next requests, in order; after them, `fallback`. */
  queue(...replies: Reply[]): void;
  /** The reply once the queue is empty (default 200). */
  setFallback(reply: Reply): void;
  /** Resolves when at least `n` requests have been received (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startFakeTarget(): Promise<FakeTarget> {
  const replies: Reply[] = [];
  let fallback: Reply = { status: 200, body: '{"ok":true}' };
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = await startRecordingServer((_req, index) => {
    for (const w of waiters.filter((w) => index + 1 >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    return replies.shift() ?? fallback;
  });
  const received = server.requests;
  return {
    url: server.url,
    received,
    queue: (...r) => replies.push(...r),
    setFallback: (r) => {
      fallback = r;
    },
    waitFor(n, timeoutMs = 15_000) {
      if (received.length >= n) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fake target received ${received.length} of ${n} requests within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(received)) });
      });
    },
    close: () => server.close(),
  };
}
