// Stored connections through the API, used by targets and poll sources, never shown in
// clear; and poll sources driven by the server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

let fb: TestFlowbridge;
let target: FakeTarget;

beforeAll(async () => {
  fb = await startTestFlowbridge();
  target = await startFakeTarget();
});
afterAll(async () => {
  await target.close();
  await fb.stop();
});

async function redisText(): Promise<string> {
  const redis = fb.runtime.redis;
  let text = '';
  for (const k of await redis.keys(`${fb.prefix}:*`)) {
    const type = await redis.type(k);
    if (type === 'string') text += await redis.get(k);
    else if (type === 'hash') text += JSON.stringify(await redis.hgetall(k));
    else if (type === 'list') text += JSON.stringify(await redis.lrange(k, 0, -1));
  }
  return text;
}

describe('connections', () => {
  it('stores credentials sealed, answers them masked, and keeps them when the mask is sent back', async () => {
    const created = await fb.api('POST', '/connections', { id: 'attendance-api', name: 'Attendance API', connection: { kind: 'bearer', token: 'tok-123456' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'attendance-api', kind: 'bearer', masked: { kind: 'bearer', token: '********' }, version: 1 });
    expect(JSON.stringify(created.json)).not.toContain('tok-123456');
    expect(await redisText()).not.toContain('tok-123456');

    const renamed = await fb.api('PUT', '/connections/attendance-api', { name: 'Attendance', connection: { kind: 'bearer', token: '********' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe('Attendance');
    const list = await fb.api('GET', '/connections');
    expect(list.json.items.map((c: { id: string }) => c.id)).toContain('attendance-api');
    expect(list.json.kinds.map((k: { kind: string }) => k.kind)).toEqual(['basic', 'api-key', 'bearer', 'oauth2-client-credentials', 'hmac']);
  });

  it('refuses an invalid connection with the path of each problem', async () => {
    const res = await fb.api('POST', '/connections', { name: 'Broken', connection: { kind: 'basic', username: 'u' } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('ERR_VALIDATION');
    expect(JSON.stringify(res.json.error.details)).toContain('password');
  });

  it('sends the credentials of the named connection to the target', async () => {
    const flow = {
      id: 'with-connection',
      name: 'With connection',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'with-connection' } },
        { id: 'out', type: 'target.http', config: { url: `${target.url}/employees` }, connection: 'attendance-api' },
      ],
      edges: [{ source: 'in', target: 'out' }],
    };
    expect((await fb.api('POST', '/flows', flow)).status).toBe(201);
    const deployed = await fb.api('POST', '/flows/with-connection/deploy');
    expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
    await fb.post('/webhooks/with-connection', '{"a":1}');
    const [got] = await target.waitFor(1);
    expect(got!.headers.authorization).toBe('Bearer tok-123456');
    const used = await fb.api('GET', '/connections/attendance-api');
    expect(used.json.usedBy).toEqual([{ flowId: 'with-connection', nodeId: 'out' }]);
    const del = await fb.api('DELETE', '/connections/attendance-api');
    expect(del.status).toBe(409);
  });

  it('refuses to deploy a node naming a missing connection or one of the wrong kind', async () => {
    await fb.api('POST', '/connections', { id: 'signing', name: 'Signing', connection: { kind: 'hmac', secret: 'shhh-secret' } });
    const flow = {
      id: 'bad-connection',
      name: 'Bad connection',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'bad-connection' } },
        { id: 'a', type: 'target.http', config: { url: `${target.url}/a` }, connection: 'nope' },
        { id: 'b', type: 'target.slack', config: { mode: 'webhook', webhookUrl: `${target.url}/slack` }, connection: 'signing' },
      ],
      edges: [{ source: 'in', target: 'a' }, { source: 'in', target: 'b' }],
    };
    await fb.api('POST', '/flows', flow);
    const res = await fb.api('POST', '/flows/bad-connection/deploy');
    expect(res.status).toBe(400);
    const paths = res.json.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('nodes[1].connection');
    expect(paths).toContain('nodes[2].connection');
  });
});

describe('poll sources', () => {
  let api: http.Server;
  let items: { id: string; name: string }[] = [{ id: 'e1', name: 'Anna' }, { id: 'e2', name: 'Ben' }];
  let calls = 0;

  beforeAll(async () => {
    api = http.createServer((_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    api.close();
  });

  it('polls a deployed http-poll source and routes each new item once', async () => {
    target.received.length = 0;
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/employees`;
    const flow = {
      id: 'polling',
      name: 'Polling',
      nodes: [
        { id: 'poll', type: 'source.http-poll', config: { url, intervalSeconds: 5, itemsPath: '$.items[*]', idPath: '$.id', eventType: 'erp.employee.seen' } },
        { id: 'out', type: 'target.http', config: { url: `${target.url}/seen` } },
      ],
      edges: [{ source: 'poll', target: 'out' }],
    };
    expect((await fb.api('POST', '/flows', flow)).status).toBe(201);
    const deployed = await fb.api('POST', '/flows/polling/deploy');
    expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
    await target.waitFor(2);
    const names = () => target.received.filter((r) => r.path === '/seen').map((r) => (r.json as { data: { name: string } }).data.name);
    expect(names().sort()).toEqual(['Anna', 'Ben']);
    const afterFirst = calls;
    items = [...items, { id: 'e3', name: 'Chen' }];
    await target.waitFor(3, 20_000);
    expect(calls).toBeGreaterThan(afterFirst);
    expect(names().sort()).toEqual(['Anna', 'Ben', 'Chen']);
    const state = await fb.runtime.redis.hgetall(`${fb.prefix}:poll:polling:poll`);
    expect(state.lastError).toBe('');
    expect(Date.parse(state.nextPollAt!)).toBeGreaterThan(Date.now() - 1000);
  }, 30_000);
});
