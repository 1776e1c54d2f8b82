import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

let fb: TestFlowbridge;
let target: FakeTarget;

function flowTo(url: string, id: string, sourceId: string, delivery: Record<string, number> = {}) {
  return {
    id,
    name: `Test ${id}`,
    nodes: [
      { id: 'in', type: 'source.webhook', config: { sourceId, id: { header: 'X-Delivery' }, type: { path: '$.kind' }, subject: { path: '$.person.id' } } },
      { id: 'only-active', type: 'filter', config: { pattern: { type: ['person.changed'], data: { person: { status: ['active'], id: [{ prefix: 'P-' }] } } } } },
      { id: 'map', type: 'transform', config: { type: 'jsonata', expression: "{ 'ref': data.person.id, 'fullName': data.person.first & ' ' & data.person.last, 'eventId': id }" } },
      { id: 'out', type: 'target.http', config: { url: `${url}/people`, headers: { 'X-Test': '1' } }, delivery: { backoffBaseMs: 10, backoffMaxMs: 50, ...delivery } },
    ],
    edges: [
      { source: 'in', target: 'only-active' },
      { source: 'only-active', target: 'map' },
      { source: 'map', target: 'out' },
    ],
  };
}

async function deploy(doc: ReturnType<typeof flowTo>) {
  const created = await fb.api('POST', '/flows', doc);
  expect(created.status).toBe(201);
  const deployed = await fb.api('POST', `/flows/${doc.id}/deploy`);
  expect(deployed.status).toBe(200);
  return deployed.json;
}

function person(id: string, status = 'active') {
  return JSON.stringify({ kind: 'person.changed', person: { id, first: 'Anna', last: 'Jones', status } });
}

async function traceOf(eventId: string, source: string) {
  const r = await fb.api('GET', `/buses/default/events/${encodeURIComponent(eventId)}?source=${encodeURIComponent(source)}`);
  return r.status === 200 ? (r.json as { trace: { kind: string; ok?: boolean; status?: number; attempt?: number }[] }) : undefined;
}

beforeAll(async () => {
  fb = await startTestFlowbridge();
});
afterAll(async () => {
  await fb.stop();
});
afterEach(async () => {
  await target?.close();
});

describe('webhook in, flow, HTTP delivery out', () => {
  it('answers 202 with the event id and delivers the mapped body with an Idempotency-Key', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'happy', 'people-happy'));
    const res = await fb.post('/webhooks/people-happy', person('P-1'), { 'content-type': 'application/json', 'x-delivery': 'evt-1' });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ id: 'evt-1', bus: 'default', duplicate: false });
    const [got] = await target.waitFor(1);
    expect(got!.method).toBe('POST');
    expect(got!.path).toBe('/people');
    expect(got!.json).toEqual({ ref: 'P-1', fullName: 'Anna Jones', eventId: 'evt-1' });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-test']).toBe('1');
    expect(got!.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('keeps out events the filter does not match and records why in the trace', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'filtered', 'people-filtered'));
    const a = await fb.post('/webhooks/people-filtered', person('P-2', 'terminated'), { 'content-type': 'application/json', 'x-delivery': 'f-1' });
    const b = await fb.post('/webhooks/people-filtered', person('X-3'), { 'content-type': 'application/json', 'x-delivery': 'f-2' });
    const c = await fb.post('/webhooks/people-filtered', person('P-4'), { 'content-type': 'application/json', 'x-delivery': 'f-3' });
    expect([a.status, b.status, c.status]).toEqual([202, 202, 202]);
    await target.waitFor(1);
    const routed = await eventually(async () => {
      const t = await traceOf('f-1', '/webhooks/people-filtered');
      return t?.trace.some((e) => e.kind === 'routed') ? t : undefined;
    });
    expect(routed.trace.filter((e) => e.kind === 'matched')).toHaveLength(0);
    expect(target.received.map((r) => (r.json as { ref: string }).ref)).toEqual(['P-4']);
  });

  it('retries a target that answers 503 twice and delivers once, with three attempts in the trace', async () => {
    target = await startFakeTarget();
    target.queue({ status: 503, body: 'down' }, { status: 503, body: 'still down' });
    await deploy(flowTo(target.url, 'retry', 'people-retry'));
    const res = await fb.post('/webhooks/people-retry', person('P-5'), { 'content-type': 'application/json', 'x-delivery': 'r-1' });
    expect(res.status).toBe(202);
    await target.waitFor(3);
    const trace = await eventually(async () => {
      const t = await traceOf('r-1', '/webhooks/people-retry');
      return t && t.trace.filter((e) => e.kind === 'attempt').length === 3 ? t : undefined;
    });
    const attempts = trace.trace.filter((e) => e.kind === 'attempt');
    expect(attempts.map((a) => [a.attempt, a.status, a.ok])).toEqual([[1, 503, false], [2, 503, false], [3, 200, true]]);
    expect(new Set(target.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(target.received).toHaveLength(3);
  });

  it('dead-letters a delivery the target rejects with 400, and redrive delivers it once after the target is fixed', async () => {
    target = await startFakeTarget();
    target.setFallback({ status: 400, body: '{"error":"missing field costCenter"}' });
    await deploy(flowTo(target.url, 'dlq', 'people-dlq'));
    await fb.post('/webhooks/people-dlq', person('P-6'), { 'content-type': 'application/json', 'x-delivery': 'd-1' });
    const dl = await eventually(async () => {
      const list = await fb.api('GET', '/dead-letters?flowId=dlq');
      return list.json.items.length ? list.json.items[0] : undefined;
    });
    expect(target.received).toHaveLength(1);
    expect(dl.reason).toBe('permanent-failure');
    expect(dl.lastError).toMatchObject({ kind: 'permanent', status: 400 });
    expect(dl.attempts).toHaveLength(1);
    expect(dl.attempts[0].responseExcerpt).toContain('missing field costCenter');
    expect(dl.delivery.event.id).toBe('d-1');
    const firstKey = target.received[0]!.headers['idempotency-key'];

    target.setFallback({ status: 200, body: '{}' });
    const redrive = await fb.api('POST', `/dead-letters/${encodeURIComponent(dl.id)}/redrive`);
    expect(redrive.status).toBe(202);
    await target.waitFor(2);
    expect(target.received[1]!.json).toEqual({ ref: 'P-6', fullName: 'Anna Jones', eventId: 'd-1' });
    expect(target.received[1]!.headers['idempotency-key']).toBe(firstKey);
    expect((await fb.api('GET', `/dead-letters/${encodeURIComponent(dl.id)}`)).status).toBe(404);
    const trace = await eventually(async () => {
      const t = await traceOf('d-1', '/webhooks/people-dlq');
      return t?.trace.some((e) => e.kind === 'attempt' && e.ok) ? t : undefined;
    });
    expect(trace.trace.map((e) => e.kind)).toEqual(expect.arrayContaining(['routed', 'matched', 'attempt', 'dead-lettered', 'redriven']));
    expect(target.received).toHaveLength(2);
  });

  it('dead-letters after max attempts when the target keeps failing', async () => {
    target = await startFakeTarget();
    target.setFallback({ status: 500, body: 'boom' });
    await deploy(flowTo(target.url, 'exhaust', 'people-exhaust', { maxAttempts: 3 }));
    await fb.post('/webhooks/people-exhaust', person('P-7'), { 'content-type': 'application/json', 'x-delivery': 'x-1' });
    const dl = await eventually(async () => {
      const list = await fb.api('GET', '/dead-letters?flowId=exhaust');
      return list.json.items[0];
    });
    expect(dl.reason).toBe('attempts-exhausted');
    expect(dl.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3]);
    expect(target.received).toHaveLength(3);
  });

  it('treats a repeated event id from the same source as a duplicate and delivers it once', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'dupes', 'people-dupes'));
    const first = await fb.post('/webhooks/people-dupes', person('P-8'), { 'content-type': 'application/json', 'x-delivery': 'same' });
    const again = await fb.post('/webhooks/people-dupes', person('P-8'), { 'content-type': 'application/json', 'x-delivery': 'same' });
    expect(first.json.duplicate).toBe(false);
    expect(again.status).toBe(202);
    expect(again.json.duplicate).toBe(true);
    await target.waitFor(1);
    const other = await fb.post('/webhooks/people-dupes', person('P-9'), { 'content-type': 'application/json', 'x-delivery': 'other' });
    expect(other.json.duplicate).toBe(false);
    await target.waitFor(2);
    expect(target.received.map((r) => (r.json as { ref: string }).ref)).toEqual(['P-8', 'P-9']);
  });
});

describe('redrive against the current flow', () => {
  it('refuses to redrive a transform failure whose rule is gone, rather than send the untransformed event', async () => {
    target = await startFakeTarget();
    const doc = flowTo(target.url, 'gone', 'people-gone');
    (doc.nodes[2] as { config: unknown }).config = { type: 'jsonata', expression: "$number('not a number') + data.person.missing.x" };
    await deploy(doc);
    await fb.post('/webhooks/people-gone', person('P-20'), { 'content-type': 'application/json', 'x-delivery': 'g-1' });
    const dl = await eventually(async () => (await fb.api('GET', '/dead-letters?flowId=gone')).json.items[0]);
    expect(dl.reason).toBe('transform-error');
    expect((await fb.api('DELETE', '/flows/gone/deploy')).status).toBe(204);
    const res = await fb.api('POST', `/dead-letters/${encodeURIComponent(dl.id)}/redrive`);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('ERR_DELIVERY_RULE_GONE');
    expect(target.received).toHaveLength(0);
    // With an edited body, the operator says what to send: that goes.
    await fb.api('POST', '/flows/gone/deploy');
    const edited = await fb.api('POST', `/dead-letters/${encodeURIComponent(dl.id)}/redrive`, { body: { ref: 'P-20' } });
    expect(edited.status).toBe(202);
    const [got] = await target.waitFor(1);
    expect(got!.json).toEqual({ ref: 'P-20' });
  });

  it('refuses to redrive an event the current first filter no longer lets through', async () => {
    target = await startFakeTarget();
    target.setFallback({ status: 400, body: 'no' });
    const doc = flowTo(target.url, 'refiltered', 'people-refiltered');
    await deploy(doc);
    await fb.post('/webhooks/people-refiltered', person('P-21'), { 'content-type': 'application/json', 'x-delivery': 'rf-1' });
    const dl = await eventually(async () => (await fb.api('GET', '/dead-letters?flowId=refiltered')).json.items[0]);
    (doc.nodes[1] as { config: unknown }).config = { pattern: { type: ['person.changed'], data: { person: { status: ['inactive'] } } } };
    const current = await fb.api('GET', '/flows/refiltered');
    expect((await fb.api('PUT', '/flows/refiltered', { ...doc, version: current.json.version })).status).toBe(200);
    expect((await fb.api('POST', '/flows/refiltered/deploy')).status).toBe(200);
    const res = await fb.api('POST', `/dead-letters/${encodeURIComponent(dl.id)}/redrive`);
    expect(res.status).toBe(409);
    expect(res.json.error.message).toContain('only-active');
  });
});

describe('bad input at the door', () => {
  it('answers 400 ERR_BODY_INVALID_JSON to a malformed body and stores nothing', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'badjson', 'people-badjson'));
    const before = await fb.runtime.redis.xlen(`${fb.prefix}:{bus:default}:log`);
    const res = await fb.post('/webhooks/people-badjson', '{"kind": "person.changed", ', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('ERR_BODY_INVALID_JSON');
    expect(await fb.runtime.redis.xlen(`${fb.prefix}:{bus:default}:log`)).toBe(before);
  });

  it('answers 413 to a body over the size limit and stores nothing', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'big', 'people-big'));
    const before = await fb.runtime.redis.xlen(`${fb.prefix}:{bus:default}:log`);
    const huge = JSON.stringify({ kind: 'person.changed', blob: 'x'.repeat(1024 * 1024 + 10) });
    const res = await fb.post('/webhooks/people-big', huge, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('ERR_BODY_TOO_LARGE');
    expect(await fb.runtime.redis.xlen(`${fb.prefix}:{bus:default}:log`)).toBe(before);
  });

  it('answers 404 for a webhook source no deployed flow has', async () => {
    const res = await fb.post('/webhooks/nobody-home', '{}', { 'content-type': 'application/json' });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('ERR_INGEST_UNKNOWN_SOURCE');
  });

  it('answers 400 when the configured type JSONPath finds nothing', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'notype', 'people-notype'));
    const res = await fb.post('/webhooks/people-notype', '{"person": {}}', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('ERR_INGEST_INVALID_EVENT');
    expect(res.json.error.message).toContain('$.kind');
  });
});

describe('deploying flows', () => {
  it('refuses an invalid flow with every problem listed, each with its path and code', async () => {
    const doc = {
      id: 'broken',
      name: 'Broken',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'Not Valid!' } },
        { id: 'f', type: 'filter', config: { pattern: { data: { n: [{ numeric: ['>', 10, '<', 5] }] } } } },
        { id: 't', type: 'transform', config: { type: 'jsonata', expression: '$sum(' } },
        { id: 'out', type: 'target.http', config: { url: 'ftp://nope' } },
        { id: 'lonely', type: 'filter', config: { pattern: { type: ['x'] } } },
        { id: 'mystery', type: 'target.carrier-pigeon', config: {} },
      ],
      edges: [
        { source: 'in', target: 'f' },
        { source: 'f', target: 't' },
        { source: 't', target: 'out' },
        { source: 'out', target: 'f' },
        { source: 'in', target: 'ghost' },
      ],
    };
    expect((await fb.api('POST', '/flows', doc)).status).toBe(201);
    const res = await fb.api('POST', '/flows/broken/deploy');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('ERR_FLOW_INVALID');
    const byCode = (code: string) => res.json.error.details.filter((d: { code: string }) => d.code === code).map((d: { path: string }) => d.path);
    expect(byCode('ERR_FLOW_NODE_CONFIG')).toEqual(expect.arrayContaining(['nodes[0].config.sourceId', 'nodes[3].config.url']));
    expect(byCode('ERR_PATTERN_INVALID')).toEqual(['nodes[1].config.pattern.data.n[0].numeric']);
    expect(byCode('ERR_TRANSFORM_SYNTAX')).toEqual(['nodes[2].config.expression']);
    expect(byCode('ERR_FLOW_UNKNOWN_NODE_TYPE')).toEqual(['nodes[5].type']);
    expect(byCode('ERR_FLOW_EDGE_UNKNOWN_NODE')).toEqual(['edges[4].target']);
    expect(byCode('ERR_FLOW_EDGE_DIRECTION')).toEqual(['edges[3]']);
    expect(res.json.error.details.length).toBeGreaterThanOrEqual(7);
    expect((await fb.api('GET', '/flows/broken')).json.deployedVersion).toBeUndefined();
  });

  it('rejects a stale update with 409 and keeps the newer version', async () => {
    target = await startFakeTarget();
    const doc = flowTo(target.url, 'stale', 'people-stale');
    await fb.api('POST', '/flows', doc);
    const v2 = await fb.api('PUT', '/flows/stale', { ...doc, name: 'second', version: 1 });
    expect(v2.status).toBe(200);
    expect(v2.json.version).toBe(2);
    const stale = await fb.api('PUT', '/flows/stale', { ...doc, name: 'lost update', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('ERR_FLOW_VERSION_CONFLICT');
    expect((await fb.api('GET', '/flows/stale')).json.doc.name).toBe('second');
  });

  it('refuses a webhook source id that another deployed flow owns', async () => {
    target = await startFakeTarget();
    await deploy(flowTo(target.url, 'owner-a', 'shared-source'));
    await fb.api('POST', '/flows', flowTo(target.url, 'owner-b', 'shared-source'));
    const res = await fb.api('POST', '/flows/owner-b/deploy');
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('ERR_FLOW_SOURCE_ID_TAKEN');
  });

  it('requires the admin token on the management API', async () => {
    const res = await fetch(`${fb.url}/api/v1/flows`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_UNAUTHORIZED');
  });

  it('reports healthy when Redis answers and workers run', async () => {
    const res = await fetch(`${fb.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', redis: { reachable: true }, workers: { router: true, worker: true } });
  });
});
