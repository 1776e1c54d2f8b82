// A local stand-in for a SaaS API on 127.0.0.1: records every request and answers with a
// handler that behaves like the real service (checks signatures, tokens, payloads), or
// with queued replies that make it misbehave (401, 429, 503, 400, hang).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

export interface FakeReply {
  status: number;
  body?: string | object;
  headers?: Record<string, string>;
  delayMs?: number;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeApi {
  url: string;
  received: FakeRequest[];
  /** Replies for the next requests, before the handler is asked. */
  queue(...replies: FakeReply[]): void;
  setHandler(handler: FakeHandler): void;
  /** Forgets received requests and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeApi(handler: FakeHandler = () => ({ status: 200, body: { ok: true } })): Promise<FakeApi> {
  const received: FakeRequest[] = [];
  const replies: FakeReply[] = [];
  let current = handler;
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
      const rec: FakeRequest = { method: req.method ?? '', path: req.url ?? '', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body, json };
      received.push(rec);
      void Promise.resolve(replies.shift() ?? current(rec)).then((reply) => {
        const send = () => {
          if (res.destroyed) return;
          const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
          res.writeHead(reply.status, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...reply.headers });
          res.end(text);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    queue: (...r) => void replies.push(...r),
    setHandler: (h) => {
      current = h;
    },
    reset: () => {
      received.length = 0;
      replies.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The replies that make a service fail each contract way, as plain HTTP statuses. */
export const HTTP_FAILURES = {
  auth: { status: 401, body: { error: 'unauthorized' } },
  rate_limited: { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '2' } },
  retryable: { status: 503, body: { error: 'unavailable' } },
  permanent: { status: 400, body: { error: 'bad request' } },
} as const;
