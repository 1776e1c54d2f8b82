// Retries by the delivery policy and the failure table: Retry-After (seconds or date)
// honoured and capped, fixed backoff, per-attempt timeout, 401/403 marking the target
// unhealthy, 410 disabling it until re-enabled, and the max event age.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../server/store/event-store.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from '../support/flowbridge.ts';
import { deployFlow, sendEvent, webhookFlow } from './support/flows.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let fb: TestFlowbridge;
let receiver: Receiver;

beforeAll(async () => {
  fb = await startTestFlowbridge({ env: { FLOWBRIDGE_TARGET_STATE_CACHE_MS: '0' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await fb.stop();
  await receiver.close();
});

const at = (path: string) => receiver.requests.filter((r) => r.path === path);

async function deadLetterOf(flowId: string, n = 1) {
  return await eventually(async () => {
    const items = (await fb.api('GET', `/dead-letters?flowId=${flowId}`)).json.items as { reason: string; lastError: { kind: string; status?: number; code?: string; reason?: string; message: string }; attempts: { errorKind?: string; reason?: string; status?: number; durationMs: number; at: string }[] }[];
    return items.length >= n ? items : undefined;
  }, 15_000, `${n} dead letter(s) of ${flowId}`);
}

describe('retries by the policy', () => {
  it('waits as long as a Retry-After in seconds asks before the next attempt', async () => {
    receiver.setScript((r) => (r.path === '/ra-seconds' && at('/ra-seconds').length === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    await deployFlow(fb, webhookFlow('ra-seconds', [{ url: `${receiver.url}/ra-seconds`, delivery: { backoffBaseMs: 10, backoffMaxMs: 60_000 } }]));
    await sendEvent(fb, 'ra-seconds', 'ra-1');
    await receiver.until(() => at('/ra-seconds').length === 2);
    const [a, b] = at('/ra-seconds');
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
    expect(b!.status).toBe(200);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    receiver.setScript((r) => (r.path === '/ra-date' && at('/ra-date').length === 1 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } } : { status: 200 }));
    await deployFlow(fb, webhookFlow('ra-date', [{ url: `${receiver.url}/ra-date`, delivery: { backoffBaseMs: 10, backoffMaxMs: 60_000 } }]));
    await sendEvent(fb, 'ra-date', 'rd-1');
    await receiver.until(() => at('/ra-date').length === 2, 15_000);
    const [a, b] = at('/ra-date');
    // An HTTP date has whole seconds: the wait is between 1 and 2 s.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(900);
  });

  it('caps a Retry-After at the policy\'s longest retry delay', async () => {
    receiver.setScript((r) => (r.path === '/ra-cap' && at('/ra-cap').length === 1 ? { status: 429, headers: { 'retry-after': '3600' } } : { status: 200 }));
    await deployFlow(fb, webhookFlow('ra-cap', [{ url: `${receiver.url}/ra-cap`, delivery: { backoffBaseMs: 10, backoffMaxMs: 300 } }]));
    await sendEvent(fb, 'ra-cap', 'rc-1');
    await receiver.until(() => at('/ra-cap').length === 2, 10_000);
    const [a, b] = at('/ra-cap');
    expect(b!.at - a!.at).toBeLessThan(3000);
  });

  it('waits between base and max with fixed backoff', async () => {
    receiver.setScript((r) => (r.path === '/fixed' && at('/fixed').length <= 3 ? { status: 500 } : { status: 200 }));
    await deployFlow(fb, webhookFlow('fixed', [{ url: `${receiver.url}/fixed`, delivery: { backoff: 'fixed', backoffBaseMs: 300, backoffMaxMs: 400 } }]));
    await sendEvent(fb, 'fixed', 'f-1');
    await receiver.until(() => at('/fixed').length === 4, 15_000);
    const times = at('/fixed').map((r) => r.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(290);
  });

  it('gives up an attempt at the policy\'s timeout and records it as a retryable timeout', async () => {
    receiver.setScript((r) => (r.path === '/slow' && at('/slow').length === 1 ? { status: 200, delayMs: 3000 } : { status: 200 }));
    await deployFlow(fb, webhookFlow('slow', [{ url: `${receiver.url}/slow`, delivery: { timeoutMs: 300 } }]));
    await sendEvent(fb, 'slow', 'sl-1');
    await receiver.until(() => at('/slow').length === 2, 10_000);
    const trace = await eventually(async () => {
      const r = await fb.api('GET', '/buses/default/events/sl-1?source=%2Fwebhooks%2Fslow');
      const attempts = (r.json?.trace ?? []).filter((t: { kind: string }) => t.kind === 'attempt');
      return attempts.length === 2 ? attempts : undefined;
    });
    expect(trace[0]).toMatchObject({ ok: false, errorKind: 'retryable', reason: 'timeout' });
    expect(trace[0].durationMs).toBeLessThan(2000);
    expect(trace[1]).toMatchObject({ ok: true, status: 200 });
  });

  it('dead-letters after max attempts with every attempt, its status, duration, excerpt and error class', async () => {
    receiver.setScript((r) => (r.path === '/always-503' ? { status: 503, body: '{"error":"overloaded"}' } : { status: 200 }));
    await deployFlow(fb, webhookFlow('exhaust', [{ url: `${receiver.url}/always-503`, delivery: { maxAttempts: 3 } }]));
    await sendEvent(fb, 'exhaust', 'x-1');
    const [dl] = await deadLetterOf('exhaust');
    expect(dl!.reason).toBe('attempts-exhausted');
    expect(dl!.lastError).toMatchObject({ kind: 'retryable', status: 503, code: 'ERR_DELIVERY_HTTP_STATUS', reason: 'target unavailable' });
    expect(dl!.attempts).toHaveLength(3);
    for (const a of dl!.attempts) expect(a).toMatchObject({ status: 503, errorKind: 'retryable', reason: 'target unavailable', responseExcerpt: '{"error":"overloaded"}' });
  });
});

describe('auth failures and gone targets', () => {
  it('dead-letters on 401 and marks the target unhealthy, until a delivery succeeds again', async () => {
    receiver.setScript((r) => (r.path === '/auth' && at('/auth').length === 1 ? { status: 401, body: 'bad token' } : { status: 200 }));
    await deployFlow(fb, webhookFlow('auth', [{ url: `${receiver.url}/auth` }]));
    await sendEvent(fb, 'auth', 'a-1');
    const [dl] = await deadLetterOf('auth');
    expect(dl!.reason).toBe('permanent-failure');
    expect(dl!.lastError).toMatchObject({ kind: 'auth', status: 401 });
    expect(dl!.attempts).toHaveLength(1);
    const unhealthy = await fb.api('GET', '/targets/auth.out');
    expect(unhealthy.status).toBe(200);
    expect(unhealthy.json.state.health).toMatchObject({ status: 'unhealthy' });
    expect(unhealthy.json.state.health.reason).toContain('401');
    await sendEvent(fb, 'auth', 'a-2');
    await receiver.until(() => at('/auth').length === 2);
    await eventually(async () => ((await fb.api('GET', '/targets/auth.out')).json.state.health.status === 'healthy' ? true : undefined));
  });

  it('marks the named connection unhealthy on 403, and healthy again after a delivery through it succeeds', async () => {
    receiver.setScript((r) => (r.path === '/conn' && at('/conn').length === 1 ? { status: 403, body: 'forbidden' } : { status: 200 }));
    expect((await fb.api('POST', '/connections', { id: 'erp-token', name: 'ERP token', connection: { kind: 'bearer', token: 'tok-abcdef' } })).status).toBe(201);
    const doc = webhookFlow('conn', [{ url: `${receiver.url}/conn` }]);
    (doc.nodes[1] as Record<string, unknown>).connection = 'erp-token';
    await deployFlow(fb, doc);
    await sendEvent(fb, 'conn', 'c-1');
    const [dl] = await deadLetterOf('conn');
    expect(dl!.lastError).toMatchObject({ kind: 'auth', status: 403 });
    expect(at('/conn')[0]!.headers.authorization).toBe('Bearer tok-abcdef');
    const unhealthy = (await fb.api('GET', '/connections/erp-token')).json;
    expect(unhealthy.health).toMatchObject({ status: 'unhealthy' });
    expect(unhealthy.health.message).toContain('403');
    await sendEvent(fb, 'conn', 'c-2');
    await receiver.until(() => at('/conn').length === 2);
    await eventually(async () => ((await fb.api('GET', '/connections/erp-token')).json.health?.status === 'ok' ? true : undefined));
  });

  it('disables a target that answers 410: later deliveries dead-letter without a request, until it is enabled through the API', async () => {
    receiver.setScript((r) => (r.path === '/gone' && at('/gone').length === 1 ? { status: 410, body: 'gone' } : { status: 200 }));
    await deployFlow(fb, webhookFlow('gone', [{ url: `${receiver.url}/gone` }]));
    await sendEvent(fb, 'gone', 'g-1');
    await deadLetterOf('gone');
    const target = await fb.api('GET', '/targets/gone.out');
    expect(target.json.state.disabled.reason).toContain('410');
    await sendEvent(fb, 'gone', 'g-2');
    const dls = await deadLetterOf('gone', 2);
    const second = dls.find((d) => d.reason === 'target-disabled');
    expect(second?.lastError).toMatchObject({ kind: 'config', code: 'ERR_DELIVERY_TARGET_DISABLED' });
    expect(second?.lastError.message).toContain('/api/v1/targets/gone.out/enable');
    expect(at('/gone')).toHaveLength(1);

    const enabled = await fb.api('POST', '/targets/gone.out/enable');
    expect(enabled.status).toBe(200);
    expect(enabled.json.state.disabled).toBeUndefined();
    await sendEvent(fb, 'gone', 'g-3');
    await receiver.until(() => at('/gone').length === 2);
    expect(at('/gone')[1]!.status).toBe(200);
  });

  it('answers 404 ERR_TARGET_NOT_FOUND for a target no delivery has used', async () => {
    const r = await fb.api('POST', '/targets/nope.out/enable');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('ERR_TARGET_NOT_FOUND');
  });
});

describe('max event age', () => {
  it('dead-letters an event older than the policy allows, without a request', async () => {
    await deployFlow(fb, webhookFlow('too-old', [{ url: `${receiver.url}/too-old`, delivery: { maxEventAgeSeconds: 60 } }]));
    // An event accepted two minutes ago (as after a long outage), appended to the bus log directly.
    const store = new EventStore(fb.runtime.redis, fb.runtime.keys, { retentionSeconds: 3600, dedupeWindowSeconds: 0, maxLogLength: 1_000_000 });
    await store.append('default', { specversion: '1.0', id: 'old-1', source: '/webhooks/too-old', type: 'test.event', data: { n: 'old-1' } }, { via: 'webhook:too-old', at: Date.now() - 120_000 });
    const [dl] = await deadLetterOf('too-old');
    expect(dl!.reason).toBe('event-too-old');
    expect(dl!.lastError).toMatchObject({ kind: 'permanent', code: 'ERR_DELIVERY_EVENT_TOO_OLD' });
    expect(at('/too-old')).toHaveLength(0);
  });
});
