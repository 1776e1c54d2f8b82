// A local HTTP receiver for delivery tests: records every request with when it arrived,
// when (and how) it was answered and whether the sender went away first, tracks how many
// are in flight (overall and per ordering key), and answers through a script the test
// can change at any time.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
  answeredAt?: number;
  status?: number;
  /** The sender closed the connection before the answer was written (it died or gave up). */
  aborted: boolean;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

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
  const requests: Received[] = [];
  let current = script;
  let inFlight = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rec: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now(), aborted: false };
      const index = requests.push(rec) - 1;
      inFlight++;
      peak = Math.max(peak, inFlight);
      let done = false;
      const settle = () => {
        if (done) return false;
        done = true;
        inFlight--;
        return true;
      };
      res.on('close', () => {
        if (!res.writableFinished && settle()) rec.aborted = true;
      });
      const answer = current(rec, index);
      const send = () => {
        if (res.destroyed || done) return;
        rec.answeredAt = Date.now();
        rec.status = answer.status;
        settle();
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peak;
    },
    resetPeak() {
      peak = inFlight;
    },
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
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
