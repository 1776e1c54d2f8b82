// A local stand-in for a SaaS API on 127.0.0.1: records every request and answers with a
// handler that behaves like the real service (checks signatures, tokens, payloads), or
// with queued replies that make it misbehave (401, 429, 503, 400, hang).
import { startRecordingServer, type RecordedRequest, type Reply } from '../../support/recording-server.ts';

export type FakeRequest = RecordedRequest;
export type FakeReply = Reply;
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
  const replies: FakeReply[] = [];
  let current = handler;
  const server = await startRecordingServer(async (req) => {
    const reply = replies.shift() ?? (await current(req));
    // Text answers say so, as the services' do.
    return typeof reply.body === 'string' ? { ...reply, headers: { 'content-type': 'text/plain', ...reply.headers } } : reply;
  });
  return {
    url: server.url,
    received: server.requests,
    queue: (...r) => void replies.push(...r),
    setHandler: (h) => {
      current = h;
    },
    reset: () => {
      server.requests.length = 0;
      replies.length = 0;
    },
    close: () => server.close(),
  };
}

/** The replies that make a service fail each contract way, as plain HTTP statuses. */
export const HTTP_FAILURES = {
  auth: { status: 401, body: { error: 'unauthorized' } },
  rate_limited: { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '2' } },
  retryable: { status: 503, body: { error: 'unavailable' } },
  permanent: { status: 400, body: { error: 'bad request' } },
} as const;
