// The endpoints the editor adds (server/api/editor.routes.ts) against a real flowbridge on
// the test Redis: per-flow events with their outcome, live updates, flow stats, webhook
// captures, recent bus events, and the test-run previews.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureKey, captureWebhookRequest, CAPTURE_TTL_SECONDS } from '../../server/api/editor/webhook-capture.ts';
import { FlowWatcher, type FlowStreamMessage } from '../../server/api/editor/flow-watch.ts';
import { startFakeTarget, type FakeTarget } from '../support/fake-target.ts';
import { eventually, startTestFlowbridge, TEST_TOKEN, type TestFlowbridge } from '../support/flowbridge.ts';

let fb: TestFlowbridge;
let target: FakeTarget;

function flow(id: string, sourceId: string, url: string) {
  return {
    id,
    name: `Editor API ${id}`,
    nodes: [
      { id: 'in', type: 'source.webhook', config: { sourceId, id: { header: 'X-Delivery' } } },
      { id: 'only-active', type: 'filter', config: { pattern: { data: { status: ['active'] } } } },
      { id: 'map', type: 'transform', config: { type: 'jsonata', expression: "{ 'ref': data.id }" } },
      { id: 'out', type: 'target.http', config: { url, headers: { 'X-Test': '1' } }, delivery: { maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 } },
    ],
    edges: [
      { source: 'in', target: 'only-active' },
      { source: 'only-active', target: 'map' },
      { source: 'map', target: 'out' },
    ],
  };
}

async function deploy(doc: ReturnType<typeof flow>) {
  expect((await fb.api('POST', '/flows', doc)).status).toBe(201);
  expect((await fb.api('POST', `/flows/${doc.id}/deploy`)).status).toBe(200);
}

const person = (id: string, status = 'active') => JSON.stringify({ id, status });
const send = (sourceId: string, delivery: string, body: string) => fb.post(`/webhooks/${sourceId}`, body, { 'content-type': 'application/json', 'x-delivery': delivery });

async function statusOf(flowId: string, eventId: string): Promise<string | undefined> {
  const r = await fb.api('GET', `/flows/${flowId}/events`);
  return (r.json.items as { id: string; status: string }[]).find((e) => e.id === eventId)?.status;
}

beforeAll(async () => {
  [fb, target] = await Promise.all([startTestFlowbridge(), startFakeTarget()]);
});
afterAll(async () => {
  await target?.close();
  await fb?.stop();
});

describe('GET /api/v1/flows/:id/events', () => {
  it('lists the flow\'s recent events, newest first, as delivered or filtered out', async () => {
    await deploy(flow('events-a', 'events-a', `${target.url}/people`));
    expect((await send('events-a', 'ev-1', person('P-1'))).status).toBe(202);
    expect((await send('events-a', 'ev-2', person('P-2', 'left'))).status).toBe(202);
    await eventually(async () => ((await statusOf('events-a', 'ev-1')) === 'delivered' ? true : undefined), 15_000, 'ev-1 delivered');
    await eventually(async () => ((await statusOf('events-a', 'ev-2')) === 'filtered' ? true : undefined), 15_000, 'ev-2 filtered');
    const r = await fb.api('GET', '/flows/events-a/events?limit=10');
    expect(r.json.items.map((e: { id: string }) => e.id)).toEqual(['ev-2', 'ev-1']);
    expect(r.json.items[1]).toMatchObject({ bus: 'default', type: 'webhook.received', via: 'webhook:events-a', status: 'delivered', attempts: 1, deliveries: { delivered: 1 } });
  });

  it('answers 404 for a flow that does not exist and 400 for a bad limit', async () => {
    expect((await fb.api('GET', '/flows/nope/events')).json.error.code).toBe('ERR_NOT_FOUND');
    expect((await fb.api('GET', '/flows/events-a/events?limit=0')).status).toBe(400);
  });
});

describe('GET /api/v1/flows/:id/stream', () => {
  it('sends the current events at once and each change as a server-sent event', async () => {
    await deploy(flow('stream-a', 'stream-a', `${target.url}/people`));
    const abort = new AbortController();
    const res = await fetch(`${fb.url}/api/v1/flows/stream-a/stream`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before "${needle}"`);
        text += value;
      }
    };
    await readUntil('event: events\ndata: {"type":"events","items":[]}');
    await readUntil('event: stats');
    await send('stream-a', 'live-1', person('P-9'));
    await readUntil('"id":"live-1"');
    await readUntil('"status":"delivered"');
    abort.abort();
  });

  it('polls Redis only for watched flows, once per interval however many listeners', async () => {
    const redis = new Redis(fb.runtime.redisUrl, { lazyConnect: false });
    const watcher = new FlowWatcher(redis, fb.runtime.keys, { intervalMs: 50, eventsLimit: 10 });
    try {
      const a: FlowStreamMessage[] = [];
      const b: FlowStreamMessage[] = [];
      const offA = watcher.subscribe('events-a', (m) => a.push(m));
      await eventually(async () => (a.some((m) => m.type === 'events') ? true : undefined));
      const offB = watcher.subscribe('events-a', (m) => b.push(m));
      // A late listener gets the current state at once, without waiting for a change.
      expect(b.map((m) => m.type).sort()).toEqual(['events', 'stats']);
      expect(watcher.watchedFlows).toEqual(['events-a']);
      await new Promise((r) => setTimeout(r, 200));
      // Nothing changed: nothing more is sent.
      expect(a.filter((m) => m.type === 'events')).toHaveLength(1);
      offA();
      offB();
      expect(watcher.watchedFlows).toEqual([]);
    } finally {
      watcher.close();
      redis.disconnect();
    }
  });
});

describe('GET /api/v1/flow-stats', () => {
  it('gives each flow its last event time and its dead-letter count', async () => {
    const failing = await startFakeTarget();
    failing.setFallback({ status: 400, body: '{"error":"bad"}' });
    try {
      await deploy(flow('stats-a', 'stats-a', `${failing.url}/people`));
      await send('stats-a', 'st-1', person('P-1'));
      const stats = await eventually(async () => {
        const r = await fb.api('GET', '/flow-stats');
        const s = (r.json.items as { flowId: string; deadLetters: number; lastEventAt?: string }[]).find((x) => x.flowId === 'stats-a');
        return s && s.deadLetters === 1 ? s : undefined;
      }, 15_000, 'a dead letter counted');
      expect(Date.now() - Date.parse(stats.lastEventAt!)).toBeLessThan(60_000);
      expect(await statusOf('stats-a', 'st-1')).toBe('dead-lettered');
    } finally {
      await failing.close();
    }
  });
});

describe('webhook captures', () => {
  it('arms a capture that takes the next request once, stores it under the documented key, and cancels', async () => {
    const armed = await fb.api('POST', '/webhook-captures/capture-a');
    expect(armed.status).toBe(201);
    expect(armed.json).toMatchObject({ sourceId: 'capture-a', state: 'armed' });
    const redis = fb.runtime.redis;
    const key = captureKey(fb.runtime.keys, 'capture-a');
    expect(key).toBe(`${fb.prefix}:capture:capture-a`);
    expect(JSON.parse((await redis.get(key))!)).toEqual({ v: 1, state: 'armed', armedAt: armed.json.armedAt });
    expect(await redis.ttl(key)).toBeGreaterThan(CAPTURE_TTL_SECONDS - 5);

    const req = { method: 'POST', path: '/webhooks/capture-a', headers: { 'content-type': 'application/json', 'X-Delivery': 'c-1' }, body: Buffer.from('{"id":"P-1"}') };
    expect(await captureWebhookRequest(redis, fb.runtime.keys, 'capture-a', req)).toBe(true);
    expect(await captureWebhookRequest(redis, fb.runtime.keys, 'capture-a', req)).toBe(false);
    const got = await fb.api('GET', '/webhook-captures/capture-a');
    expect(got.json).toMatchObject({ state: 'captured', request: { method: 'POST', headers: { 'x-delivery': 'c-1', 'content-type': 'application/json' }, body: '{"id":"P-1"}', bodyEncoding: 'utf8' } });

    expect((await fb.api('DELETE', '/webhook-captures/capture-a')).status).toBe(204);
    expect((await fb.api('GET', '/webhook-captures/capture-a')).json).toEqual({ sourceId: 'capture-a', state: 'none' });
    expect(await captureWebhookRequest(redis, fb.runtime.keys, 'capture-a', req)).toBe(false);
  });

  it('keeps a body that is not UTF-8 as base64', async () => {
    await fb.api('POST', '/webhook-captures/capture-b');
    await captureWebhookRequest(fb.runtime.redis, fb.runtime.keys, 'capture-b', { method: 'POST', path: '/webhooks/capture-b', headers: {}, body: Buffer.from([0xff, 0xfe, 0x00]) });
    expect((await fb.api('GET', '/webhook-captures/capture-b')).json.request).toMatchObject({ body: '//4A', bodyEncoding: 'base64' });
  });

  it('refuses a source id that could not be one', async () => {
    expect((await fb.api('POST', '/webhook-captures/Not%20OK')).json.error.code).toBe('ERR_VALIDATION');
  });
});

describe('GET /api/v1/buses/:bus/recent-events', () => {
  it('lists the newest events of the bus, optionally only those that came in one way', async () => {
    const r = await fb.api('GET', '/buses/default/recent-events?limit=2&via=webhook:events-a');
    expect(r.json.items.map((e: { event: { id: string } }) => e.event.id)).toEqual(['ev-2', 'ev-1']);
    expect(r.json.items[0]).toMatchObject({ bus: 'default', via: 'webhook:events-a', event: { specversion: '1.0', data: { id: 'P-2' } } });
    expect((await fb.api('GET', '/buses/default/recent-events?limit=1')).json.items).toHaveLength(1);
  });
});

describe('test-run previews', () => {
  it('wraps a raw webhook body into the CloudEvent ingest would make', async () => {
    const r = await fb.api('POST', '/test-run/webhook-event', { config: { sourceId: 'x', id: { header: 'X-Delivery' }, type: { path: '$.kind' } }, headers: { 'X-Delivery': 'd-7' }, body: { kind: 'person.changed', id: 'P-1' } });
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({ specversion: '1.0', id: 'd-7', type: 'person.changed', source: '/webhooks/x', datacontenttype: 'application/json', data: { kind: 'person.changed', id: 'P-1' } });
  });

  it('answers 400 with the reason when the webhook settings or the request would be refused', async () => {
    expect((await fb.api('POST', '/test-run/webhook-event', { config: { sourceId: 'Bad Id' }, body: {} })).json.error.code).toBe('ERR_VALIDATION');
    const missing = await fb.api('POST', '/test-run/webhook-event', { config: { sourceId: 'x', type: { path: '$.kind' } }, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain('JSONPath $.kind');
  });

  it('shows the exact request the target would send, Idempotency-Key included', async () => {
    // The delivered request of ev-1 (events-a) is the reference.
    const delivered = target.received.find((r) => (r.json as { ref?: string } | undefined)?.ref === 'P-1')!;
    const stored = await fb.api('GET', '/buses/default/events/ev-1?source=%2Fwebhooks%2Fevents-a');
    const ruleId = stored.json.trace.find((t: { kind: string }) => t.kind === 'matched').ruleId;
    const r = await fb.api('POST', '/test-run/target-request', { target: { type: 'target.http', config: { url: `${target.url}/people`, headers: { 'X-Test': '1' } } }, body: { ref: 'P-1' }, output: 'json', event: stored.json.event, ruleId, bus: 'default' });
    expect(r.status).toBe(200);
    expect(r.json.request).toEqual({
      method: 'POST',
      url: `${target.url}/people`,
      headers: { 'idempotency-key': delivered.headers['idempotency-key'], 'content-type': 'application/json', 'x-test': '1' },
      body: '{"ref":"P-1"}',
    });
    expect(target.received.length).toBeGreaterThan(0);
  });

  it('answers 400 with every problem when the target settings are invalid', async () => {
    const r = await fb.api('POST', '/test-run/target-request', { target: { type: 'target.http', config: { url: 'ftp://x' } }, body: {}, event: {} });
    expect(r.status).toBe(400);
    expect(r.json.error.details[0].path).toBe('target.config.url');
    expect((await fb.api('POST', '/test-run/target-request', { target: { type: 'target.nope', config: {} }, body: {} })).json.error.code).toBe('ERR_VALIDATION');
  });
});
