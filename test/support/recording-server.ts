// The one local HTTP server behind the tests' stand-ins for targets and SaaS APIs: listens on
// 127.0.0.1, records every request (body, parsed JSON, when it came, when and how it was
// answered, whether the sender went away first), counts requests in flight, and answers with
// whatever the stand-in's `answer` returns — at once or after a delay.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json: any;
  at: number;
  answeredAt?: number;
  status?: number;
  /** The sender closed the connection before the answer was written (it died or gave up). */
  aborted: boolean;
}

export interface Reply {
  status: number;
  /** A string is sent as it is; an object as JSON. */
  body?: string | object;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow or hanging service). */
  delayMs?: number;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests received and not yet answered or aborted. */
  readonly inFlight: number;
  /** The most requests in flight at once since the start (or the last `resetPeak`). */
  readonly peakInFlight: number;
  resetPeak(): void;
  close(): Promise<void>;
}

/** `answer` gets each request and its index; its reply's content type defaults to JSON. */
export async function startRecordingServer(answer: (req: RecordedRequest, index: number) => Reply | Promise<Reply>, options: { keepAliveTimeoutMs?: number } = {}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
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
      const path = req.url ?? '/';
      const rec: RecordedRequest = { method: req.method ?? '', path, url: new URL(path, 'http://127.0.0.1'), headers: req.headers, body, json, at: Date.now(), aborted: false };
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
      void Promise.resolve(answer(rec, index)).then((reply) => {
        const send = () => {
          if (res.destroyed || done) return;
          rec.answeredAt = Date.now();
          rec.status = reply.status;
          settle();
          const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(text);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 1000;
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
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
