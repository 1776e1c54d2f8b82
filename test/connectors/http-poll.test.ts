import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPollConnector, type HttpPollConfig, type HttpPollCursor } from '../../connectors/http-poll/http-poll.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { PollContext } from '../../connectors/spi/connector.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { createLocalHttpClient } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler } from './support/fake-api.ts';

interface Employee {
  personnelNumber: string;
  name: string;
  updatedAt: string;
}

let api: FakeApi;
let http: HttpClient;
let employees: Employee[] = [];

// An ERP list API with both styles real APIs use: `updated_since` filtering (inclusive,
// as most are) and pages of two with a `next_page_token`. It wants an API key.
const erp: FakeHandler = (r) => {
  if (r.headers['x-api-key'] !== 'erp-key') return { status: 401, body: { error: 'unauthorized' } };
  const since = r.url.searchParams.get('updated_since');
  const list = employees.filter((e) => !since || e.updatedAt >= since).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  if (r.url.pathname === '/api/employees') return { status: 200, body: { items: list } };
  if (r.url.pathname === '/api/paged') {
    const start = Number(r.url.searchParams.get('page_token') ?? '0');
    const items = employees.slice(start, start + 2);
    const next = start + 2 < employees.length ? String(start + 2) : undefined;
    return { status: 200, body: { items, next_page_token: next } };
  }
  return { status: 404, body: { error: 'no route' } };
};

const key = { kind: 'api-key', in: 'header', name: 'X-Api-Key', key: 'erp-key' } as const;
const sinceConfig = (): HttpPollConfig => ({ url: `${api.url}/api/employees`, itemsPath: '$.items[*]', idPath: '$.personnelNumber', eventType: 'erp.employee.changed', intervalSeconds: 300, cursor: { type: 'since', param: 'updated_since', itemTimePath: '$.updatedAt' } });
const pagedConfig = (): HttpPollConfig => ({ url: `${api.url}/api/paged`, itemsPath: '$.items[*]', idPath: '$.personnelNumber', cursor: { type: 'page-token', param: 'page_token', tokenPath: '$.next_page_token' }, maxPages: 2 });
const ctx = (config: HttpPollConfig, now = '2026-03-01T09:00:00Z'): PollContext<HttpPollConfig> => ({ config, connection: key, now: new Date(now), signal: new AbortController().signal, timeoutMs: 5000, http });
const poll = (config: HttpPollConfig, cursor?: HttpPollCursor) => httpPollConnector.poll!(ctx(config), cursor);

beforeAll(async () => {
  api = await startFakeApi(erp);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('http-poll', () => ({
  connector: httpPollConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    employees = [{ personnelNumber: 'E-1', name: 'Ada', updatedAt: '2026-03-01T08:00:00.000Z' }];
    if (outcome === 'auth') return { config: sinceConfig(), connection: { ...key, key: 'wrong' } };
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: sinceConfig(), connection: key };
  },
}));

describe('the http-poll source', () => {
  it('emits each item once per version in since mode and sends the newest time as the parameter', async () => {
    employees = [
      { personnelNumber: 'E-1', name: 'Ada', updatedAt: '2026-03-01T08:00:00.000Z' },
      { personnelNumber: 'E-2', name: 'Grace', updatedAt: '2026-03-01T08:30:00.000Z' },
    ];
    api.reset();
    const first = await poll(sinceConfig());
    expect(first.events.map((e) => [e.id, e.type, e.subject, e.time])).toEqual([
      ['E-1@2026-03-01T08:00:00.000Z', 'erp.employee.changed', 'E-1', '2026-03-01T08:00:00.000Z'],
      ['E-2@2026-03-01T08:30:00.000Z', 'erp.employee.changed', 'E-2', '2026-03-01T08:30:00.000Z'],
    ]);
    expect(first.events[0]!.data).toEqual(employees[0]);
    expect(first.nextPollAt).toBe('2026-03-01T09:05:00.000Z');

    // Nothing changed: the inclusive filter returns E-2 again, and it is not emitted twice.
    const second = await poll(sinceConfig(), first.cursor);
    expect(api.received.at(-1)!.url.searchParams.get('updated_since')).toBe('2026-03-01T08:30:00.000Z');
    expect(second.events).toEqual([]);

    employees[0] = { ...employees[0]!, name: 'Ada Lovelace', updatedAt: '2026-03-01T08:45:00.000Z' };
    const third = await poll(sinceConfig(), second.cursor);
    expect(third.events.map((e) => e.id)).toEqual(['E-1@2026-03-01T08:45:00.000Z']);
    expect(third.cursor.since).toBe('2026-03-01T08:45:00.000Z');
  });

  it('follows next-page tokens up to maxPages, asks to continue at once, and keeps the last token', async () => {
    employees = ['E-1', 'E-2', 'E-3', 'E-4', 'E-5'].map((id) => ({ personnelNumber: id, name: id, updatedAt: '2026-03-01T08:00:00.000Z' }));
    api.reset();
    const first = await poll(pagedConfig());
    expect(first.events.map((e) => e.id)).toEqual(['E-1', 'E-2', 'E-3', 'E-4']);
    expect(first.nextPollAt).toBe('2026-03-01T09:00:00.000Z');
    const second = await poll(pagedConfig(), first.cursor);
    expect(second.events.map((e) => e.id)).toEqual(['E-5']);
    expect(second.cursor.pageToken).toBe('4');
    expect(second.nextPollAt).toBe('2026-03-01T09:01:00.000Z');
    employees.push({ personnelNumber: 'E-6', name: 'E-6', updatedAt: '2026-03-01T08:00:00.000Z' });
    const third = await poll(pagedConfig(), second.cursor);
    expect(third.events.map((e) => e.id)).toEqual(['E-6']);
  });

  it('remembers only the newest ids within the dedupe window', async () => {
    employees = ['E-1', 'E-2', 'E-3'].map((id) => ({ personnelNumber: id, name: id, updatedAt: '2026-03-01T08:00:00.000Z' }));
    const config: HttpPollConfig = { url: `${api.url}/api/employees`, itemsPath: '$.items[*]', idPath: '$.personnelNumber', dedupeWindow: 10 };
    const first = await poll(config);
    expect(first.cursor.seen).toEqual(['E-1', 'E-2', 'E-3']);
    expect((await poll(config, first.cursor)).events).toEqual([]);
  });

  it('deduplicates items without an id by their content', async () => {
    employees = [{ personnelNumber: 'x', name: 'n', updatedAt: 't' }];
    const config: HttpPollConfig = { url: `${api.url}/api/employees`, itemsPath: '$.items[*]', idPath: '$.missing' };
    const first = await poll(config);
    expect(first.events[0]!.id).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect((await poll(config, first.cursor)).events).toEqual([]);
  });

  it('rejects a malformed JSONPath at deploy time', () => {
    expect(httpPollConnector.validateConfig!({ url: 'https://x.example', itemsPath: 'items[*' })).toEqual([expect.objectContaining({ path: '/itemsPath', code: 'ERR_CONNECTOR_JSONPATH' })]);
  });

  it('reports how many items the API answered with when tested', async () => {
    employees = [{ personnelNumber: 'E-1', name: 'Ada', updatedAt: '2026-03-01T08:00:00.000Z' }];
    const check = await httpPollConnector.testConnection!({ ...ctx(sinceConfig()), idempotencyKey: 'k', attempt: 1 });
    expect(check).toEqual({ ok: true, message: 'the API answered with 1 item(s) at $.items[*]' });
  });
});
