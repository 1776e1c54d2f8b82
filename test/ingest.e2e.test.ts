// The door, through real HTTP: the three CloudEvents content modes into the bus log,
// limits and rejections that store nothing, per-bus deduplication, the webhook handshake,
// and webhook sources that check signatures and keep what they are told to.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

let fb: TestFlowbridge;
let target: FakeTarget;

beforeAll(async () => {
  fb = await startTestFlowbridge({ env: { FLOWBRIDGE_MAX_EVENT_BYTES: '4096', FLOWBRIDGE_MAX_REQUEST_BYTES: '65536' } });
  target = await startFakeTarget();
  expect((await fb.api('POST', '/buses', { name: 'orders' })).status).toBe(201);
});
afterAll(async () => {
  await target.close();
  await fb.stop();
});

const logKey = (bus: string) => `${fb.prefix}:{bus:${bus}}:log`;
const logLength = (bus = 'orders') => fb.runtime.redis.xlen(logKey(bus));

async function stored(id: string, source: string, bus = 'orders') {
  const r = await fb.api('GET', `/buses/${bus}/events/${encodeURIComponent(id)}?source=${encodeURIComponent(source)}`);
  return r.status === 200 ? r.json.event : undefined;
}

describe('POST /events/:bus', () => {
  it('stores a structured-mode event exactly as sent (time string, falsy data)', async () => {
    const event = { specversion: '1.0', id: 's-1', source: '/shop', type: 'order.placed', time: '2026-11-27T10:00:00.123456+01:00', data: 0, myext: 'x' };
    const res = await fb.post('/events/orders', JSON.stringify(event), { 'content-type': 'application/cloudevents+json; charset=UTF-8' });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toEqual([{ id: 's-1', source: '/shop', duplicate: false }]);
    expect(await stored('s-1', '/shop')).toEqual(event);
  });

  it('stores a binary-mode event with percent-decoded headers and JSON data', async () => {
    const res = await fb.post('/events/orders', '{"total":12.5}', {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'b-1',
      'ce-source': '/shop',
      'ce-type': 'order.paid',
      'ce-subject': 'caf%C3%A9',
    });
    expect(res.status).toBe(202);
    expect(await stored('b-1', '/shop')).toMatchObject({ id: 'b-1', subject: 'café', datacontenttype: 'application/json', data: { total: 12.5 } });
  });

  it('stores a batch atomically and rejects a whole batch for one bad member, naming its index', async () => {
    const ok = [1, 2, 3].map((n) => ({ specversion: '1.0', id: `batch-${n}`, source: '/shop', type: 'order.placed' }));
    const res = await fb.post('/events/orders', JSON.stringify(ok), { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toHaveLength(3);
    const before = await logLength();
    const bad = [...ok.map((e) => ({ ...e, id: `${e.id}-again` })), { specversion: '1.0', id: 'x', source: '/shop', type: 'order.placed', time: 'yesterday' }];
    const rejected = await fb.post('/events/orders', JSON.stringify(bad), { 'content-type': 'application/cloudevents-batch+json' });
    expect(rejected.status).toBe(400);
    expect(rejected.json.error.code).toBe('ERR_INGEST_INVALID_EVENT');
    expect(JSON.stringify(rejected.json.error.details)).toContain('[3]');
    expect(await logLength()).toBe(before);
  });

  it('accepts an empty batch', async () => {
    const res = await fb.post('/events/orders', '[]', { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toEqual([]);
  });

  it.each([
    ['an event without an id', { specversion: '1.0', source: '/s', type: 't' }, 400, 'ERR_INGEST_INVALID_EVENT'],
    ['specversion 0.3', { specversion: '0.3', id: '1', source: '/s', type: 't' }, 400, 'ERR_INGEST_INVALID_EVENT'],
    ['an event over the event size limit', { specversion: '1.0', id: 'big', source: '/s', type: 't', data: 'x'.repeat(5000) }, 413, 'ERR_INGEST_EVENT_TOO_LARGE'],
  ])('rejects %s with %i and stores nothing', async (_what, event, status, code) => {
    const before = await logLength();
    const res = await fb.post('/events/orders', JSON.stringify(event), { 'content-type': 'application/cloudevents+json' });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(await logLength()).toBe(before);
  });

  it('answers 415 to a structured body in a format it does not read, and 404 for an unknown bus', async () => {
    const xml = await fb.post('/events/orders', '<e/>', { 'content-type': 'application/cloudevents+xml' });
    expect(xml.status).toBe(415);
    const nobus = await fb.post('/events/nope', '{}', { 'content-type': 'application/cloudevents+json' });
    expect(nobus.status).toBe(404);
    expect(nobus.json.error.code).toBe('ERR_INGEST_UNKNOWN_BUS');
  });

  it('answers a repeat of (source, id) inside the bus window as a duplicate, and not after it', async () => {
    expect((await fb.api('POST', '/buses', { name: 'short-dedupe' })).status).toBe(201);
    expect((await fb.api('PATCH', '/buses/short-dedupe', { dedupeWindowSeconds: 1 })).status).toBe(200);
    const e = JSON.stringify({ specversion: '1.0', id: 'd-1', source: '/s', type: 't' });
    const h = { 'content-type': 'application/cloudevents+json' };
    expect((await fb.post('/events/short-dedupe', e, h)).json.accepted[0].duplicate).toBe(false);
    expect((await fb.post('/events/short-dedupe', e, h)).json.accepted[0].duplicate).toBe(true);
    expect(await logLength('short-dedupe')).toBe(1);
    // Past the 1 s window (the ingest caches bus settings for up to 5 s; the window itself is enforced in Redis).
    await eventually(async () => ((await fb.post('/events/short-dedupe', e, h)).json.accepted[0].duplicate === false ? true : undefined), 8000, 'the dedupe window to pass');
    expect(await logLength('short-dedupe')).toBe(2);
  });
});

describe('the CloudEvents webhook handshake', () => {
  it('echoes an allowed origin with the allowed rate, and refuses others', async () => {
    expect((await fb.api('POST', '/buses', { name: 'guarded', allowedOrigins: ['sender.example.com'], allowedRate: 120 })).status).toBe(201);
    const ok = await fetch(`${fb.url}/events/guarded`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'sender.example.com' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('webhook-allowed-origin')).toBe('sender.example.com');
    expect(ok.headers.get('webhook-allowed-rate')).toBe('120');
    const no = await fetch(`${fb.url}/events/guarded`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'evil.example.com' } });
    expect(no.status).toBe(403);
    expect(no.headers.get('webhook-allowed-origin')).toBeNull();
    const open = await fetch(`${fb.url}/events/orders`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'anyone.example.com' } });
    expect(open.headers.get('webhook-allowed-origin')).toBe('anyone.example.com');
    expect(open.headers.get('webhook-allowed-rate')).toBe('*');
  });
});

describe('webhook sources with checks', () => {
  const secret = 'gh-webhook-secret';
  beforeAll(async () => {
    const flow = {
      id: 'github-flow',
      name: 'GitHub pushes',
      nodes: [
        {
          id: 'in',
          type: 'source.webhook',
          config: {
            sourceId: 'github',
            id: { header: 'X-GitHub-Delivery' },
            type: { header: 'X-GitHub-Event' },
            auth: [{ kind: 'github', secrets: [secret] }],
            keep: 'request',
            keepHeaders: ['x-github-event'],
          },
        },
        { id: 'out', type: 'target.http', config: { url: `${target.url}/gh` } },
      ],
      edges: [{ source: 'in', target: 'out' }],
    };
    const created = await fb.api('POST', '/flows', flow);
    expect(created.status).toBe(201);
    expect(created.json.doc.nodes[0].config.auth[0].secrets).toEqual(['********']);
    const deployed = await fb.api('POST', '/flows/github-flow/deploy');
    expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
  });

  const sign = (body: string, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

  it('accepts a correctly signed request and keeps the allowed headers, the query and the method', async () => {
    const body = '{"ref":"refs/heads/main"}';
    const res = await fb.post('/webhooks/github?installation=7', body, { 'content-type': 'application/json', 'x-github-delivery': 'gh-1', 'x-github-event': 'push', 'x-hub-signature-256': sign(body), authorization: 'secret-stuff' });
    expect(res.status).toBe(202);
    const [got] = await target.waitFor(1);
    const data = (got!.json as { data: Record<string, unknown> }).data;
    expect(data).toEqual({ body: { ref: 'refs/heads/main' }, headers: { 'x-github-event': 'push' }, query: { installation: '7' }, method: 'POST', path: '/webhooks/github' });
    expect((got!.json as { type: string }).type).toBe('push');
  });

  it.each([
    ['a tampered body', (b: string) => ({ body: b.replace('main', 'evil'), sig: sign(b) }), 'ERR_INGEST_SIGNATURE_MISMATCH'],
    ['a wrong secret', (b: string) => ({ body: b, sig: sign(b, 'other') }), 'ERR_INGEST_SIGNATURE_MISMATCH'],
    ['no signature', (b: string) => ({ body: b, sig: undefined }), 'ERR_INGEST_SIGNATURE_MISSING'],
  ])('answers 401 to %s, stores nothing and counts it', async (_what, make, code) => {
    const before = await logLength('default');
    const { body, sig } = make('{"ref":"refs/heads/main"}');
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-delivery': `bad-${code}`, 'x-github-event': 'push' };
    if (sig) headers['x-hub-signature-256'] = sig;
    const res = await fb.post('/webhooks/github', body, headers);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe(code);
    expect(JSON.stringify(res.json)).not.toContain(secret);
    expect(await logLength('default')).toBe(before);
    const metrics = await (await fetch(`${fb.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`flowbridge_ingest_auth_failures_total\\{[^}]*code="${code}"[^}]*\\} [1-9]`));
  });

  it('refuses methods and bodies the source does not accept', async () => {
    const put = await fetch(`${fb.url}/webhooks/github`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('POST');
  });
});

describe('hostile requests', () => {
  beforeAll(async () => {
    const flow = {
      id: 'open-hook',
      name: 'Open hook',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'open' } },
        { id: 'out', type: 'target.http', config: { url: `${target.url}/open` } },
      ],
      edges: [{ source: 'in', target: 'out' }],
    };
    await fb.api('POST', '/flows', flow);
    expect((await fb.api('POST', '/flows/open-hook/deploy')).status).toBe(200);
  });

  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  const cases: [string, string, string | Buffer, Record<string, string>][] = [
    ['malformed JSON to a webhook', '/webhooks/open', '{"a":', { 'content-type': 'application/json' }],
    ['100k-deep nesting to a webhook', '/webhooks/open', deep, { 'content-type': 'application/json' }],
    ['100k-deep nesting to /events', '/events/orders', `{"specversion":"1.0","id":"d","source":"/s","type":"t","data":${deep}}`, { 'content-type': 'application/cloudevents+json' }],
    ['binary garbage to /events', '/events/orders', garbage, { 'content-type': 'application/cloudevents+json' }],
    ['binary garbage to a webhook', '/webhooks/open', garbage, { 'content-type': 'application/json' }],
    ['an unknown content type to a webhook', '/webhooks/open', garbage, { 'content-type': 'application/octet-stream' }],
  ];

  it.each(cases)('answers %s with a clean 4xx and stores nothing', async (_what, path, body, headers) => {
    const before = (await logLength('default')) + (await logLength('orders'));
    const res = await fb.post(path, body, headers);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json.error.code).toMatch(/^ERR_/);
    expect((await logLength('default')) + (await logLength('orders'))).toBe(before);
  });

  it('keeps __proto__ keys as plain data without touching prototypes', async () => {
    const res = await fb.post('/webhooks/open', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}', { 'content-type': 'application/json' });
    expect(res.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const got = await eventually(async () => target.received.find((r) => r.path === '/open'));
    expect(JSON.parse(got.body).data).toEqual(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'));
  });

  it('answers huge headers with 431 and stays up', async () => {
    const res = await fetch(`${fb.url}/webhooks/open`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-huge': 'a'.repeat(64 * 1024) }, body: '{}' });
    expect(res.status).toBe(431);
    expect((await fetch(`${fb.url}/healthz`)).status).toBe(200);
  });
});

describe('the editor test URL (webhook capture)', () => {
  it('captures the next request to a source for the editor instead of persisting it, even before the flow is deployed', async () => {
    const armed = await fb.api('POST', '/webhook-captures/not-yet-deployed');
    expect(armed.status).toBe(201);
    const before = (await logLength('default')) + (await logLength('orders'));
    const res = await fb.post('/webhooks/not-yet-deployed?x=1', '{"hello":"editor"}', { 'content-type': 'application/json', 'x-test': 'yes' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ captured: true });
    expect((await logLength('default')) + (await logLength('orders'))).toBe(before);
    const state = await fb.api('GET', '/webhook-captures/not-yet-deployed');
    expect(state.json.state).toBe('captured');
    expect(state.json.request).toMatchObject({ method: 'POST', body: '{"hello":"editor"}', headers: { 'x-test': 'yes' } });
    // Only the next request: the one after it is handled normally (here: no such source).
    const again = await fb.post('/webhooks/not-yet-deployed', '{}', { 'content-type': 'application/json' });
    expect(again.status).toBe(404);
  });
});
