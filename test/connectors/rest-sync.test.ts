import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restSyncConnector, type RestSyncConfig } from '../../connectors/rest-sync/rest-sync.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler } from './support/fake-api.ts';

let api: FakeApi;
let http: HttpClient;
const records = new Map<string, Record<string, unknown>>();

// The attendance system's employee API, as strict as a real one: 409 for an existing id on
// create, 404 for an unknown id on update and delete.
const attendanceApi: FakeHandler = (r) => {
  const m = /^\/api\/employees(?:\/([^/?]+))?/.exec(r.url.pathname);
  if (!m) return { status: 404, body: { error: 'no route' } };
  const id = m[1] ? decodeURIComponent(m[1]) : undefined;
  if (r.method === 'POST' && !id) {
    const key = String(r.json?.externalId ?? r.json?.id);
    if (records.has(key)) return { status: 409, body: { error: 'exists' } };
    records.set(key, r.json);
    return { status: 201, body: r.json };
  }
  if (r.method === 'HEAD') return { status: 200 };
  if (!id || !records.has(id)) return { status: 404, body: { error: 'not found' } };
  if (r.method === 'PUT') return records.set(id, r.json), { status: 200, body: r.json };
  if (r.method === 'DELETE') return records.delete(id), { status: 204 };
  return { status: 405 };
};

function config(): RestSyncConfig {
  return {
    baseUrl: `${api.url}/api`,
    mappings: [
      { eventType: 'hr.employee.created', operation: 'create', path: '/employees' },
      { eventType: 'hr.employee.updated', operation: 'update', path: '/employees/{{body.externalId}}' },
      { eventType: 'hr.employee.terminated', operation: 'delete', path: '/employees/{{body.externalId}}' },
    ],
  };
}

beforeAll(async () => {
  api = await startFakeApi(attendanceApi);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('rest-sync', () => ({
  connector: restSyncConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    records.clear();
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: config() };
  },
  async assertIdempotent() {
    expect([...records.keys()]).toEqual(['E-1001']);
    expect(api.received.filter((r) => r.method === 'POST')).toHaveLength(2);
  },
}));

describe('the rest-sync connector', () => {
  const send = (type: string, body: unknown, c: RestSyncConfig = config()) => restSyncConnector.send!(eventInput(body, { type }), contextFor(http, c));

  it('creates, updates and deletes the record as the event types say', async () => {
    records.clear();
    api.reset();
    await send('hr.employee.created', { externalId: 'E-7', name: 'Grace' });
    expect(records.get('E-7')).toEqual({ externalId: 'E-7', name: 'Grace' });
    await send('hr.employee.updated', { externalId: 'E-7', name: 'Grace Hopper' });
    expect(records.get('E-7')).toEqual({ externalId: 'E-7', name: 'Grace Hopper' });
    await send('hr.employee.terminated', { externalId: 'E-7' });
    expect(records.has('E-7')).toBe(false);
    expect(api.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/employees', 'PUT /api/employees/E-7', 'DELETE /api/employees/E-7']);
    expect(api.received[2]!.body).toBe('');
  });

  it('counts a 409 on create and a 404 on delete as already done', async () => {
    records.clear();
    await send('hr.employee.created', { externalId: 'E-8' });
    await expect(send('hr.employee.created', { externalId: 'E-8' })).resolves.toMatchObject({ status: 409, responseExcerpt: expect.stringContaining('already exists') });
    await send('hr.employee.terminated', { externalId: 'E-8' });
    await expect(send('hr.employee.terminated', { externalId: 'E-8' })).resolves.toMatchObject({ status: 404, responseExcerpt: expect.stringContaining('already deleted') });
  });

  it('fails permanently when an update finds no record', async () => {
    records.clear();
    await expect(send('hr.employee.updated', { externalId: 'nobody' })).rejects.toMatchObject({ kind: 'permanent', status: 404 });
  });

  it('dead-letters an unmapped event type unless told to skip it', async () => {
    api.reset();
    await expect(send('hr.employee.promoted', { externalId: 'E-9' })).rejects.toMatchObject({ kind: 'permanent' });
    await expect(send('hr.employee.promoted', { externalId: 'E-9' }, { ...config(), unmatched: 'skip' })).resolves.toMatchObject({ responseExcerpt: expect.stringContaining('skipped') });
    expect(api.received).toHaveLength(0);
  });

  it('matches event types by a prefix ending in *', async () => {
    records.clear();
    const c: RestSyncConfig = { ...config(), mappings: [{ eventType: 'hr.employee.*', operation: 'create', path: '/employees' }] };
    await send('hr.employee.rehired', { externalId: 'E-10' }, c);
    expect(records.has('E-10')).toBe(true);
  });

  it('rejects a malformed path placeholder at deploy time', () => {
    const c = config();
    c.mappings[1]!.path = '/employees/{{externalId}}';
    expect(restSyncConnector.validateConfig!(c)).toEqual([expect.objectContaining({ path: '/mappings/1/path', code: 'ERR_CONNECTOR_PLACEHOLDER' })]);
  });
});
