// Per-target pacing and isolation: a 429 storm or a slow target holds back only itself,
// rate limits and max in flight hold across workers, and an open circuit makes events
// wait instead of using up their attempts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestFlowbridge, type TestFlowbridge } from '../support/flowbridge.ts';
import { deployFlow, sendEvent, webhookFlow } from './support/flows.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let fb: TestFlowbridge;
let receiver: Receiver;

beforeAll(async () => {
  fb = await startTestFlowbridge({ env: { FLOWBRIDGE_TARGET_STATE_CACHE_MS: '200' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await fb.stop();
  await receiver.close();
});

const at = (path: string) => receiver.requests.filter((r) => r.path === path);
const okAt = (path: string) => at(path).filter((r) => r.status === 200);

/** Sends `count` events to a webhook source with 16 requests in flight; resolves when all are accepted. */
async function sendMany(sourceId: string, prefix: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count) await sendEvent(fb, sourceId, `${prefix}-${next++}`);
  }));
}

/** Milliseconds from now until `count` 200s have reached `path`. */
async function timeToDeliver(path: string, count: number, send: () => Promise<void>): Promise<number> {
  const started = Date.now();
  const before = okAt(path).length;
  await send();
  await receiver.until(() => okAt(path).length >= before + count, 30_000, `${count} deliveries to ${path}`);
  return Date.now() - started;
}

describe('target isolation', () => {
  it('keeps another target at full speed while one answers every request with 429', async () => {
    receiver.setScript((r) => (r.path === '/storm' ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' } : { status: 200, delayMs: 10 }));
    await deployFlow(fb, webhookFlow('calm', [{ url: `${receiver.url}/calm` }]));
    await deployFlow(fb, webhookFlow('storm', [{ url: `${receiver.url}/storm`, delivery: { maxAttempts: 185, circuitBreaker: { enabled: false } } }]));
    const N = 300;
    const alone = await timeToDeliver('/calm', N, () => sendMany('calm', 'alone', N));
    // Now the same load to the calm target while the storm target has 600 events of its own.
    await sendMany('storm', 'st', 600);
    await receiver.until(() => at('/storm').length > 0);
    const beside = await timeToDeliver('/calm', N, () => sendMany('calm', 'beside', N));
    const stormQueue = (await fb.api('GET', '/targets/storm.out')).json.queue;
    console.log(`429 storm: calm target ${N} deliveries alone ${alone} ms, beside the storm ${beside} ms; storm target requests ${at('/storm').length}, backlog ${JSON.stringify(stormQueue)}`);
    expect(beside).toBeLessThan(alone * 2 + 1500);
    // The storm target was paused by its Retry-After, not hammered: every event made at most a few attempts.
    expect(at('/storm').length).toBeLessThan(600 * 3);
    expect(okAt('/storm')).toHaveLength(0);
    // Once the storm ends, every waiting event of the storm target is delivered: nothing was stuck or lost.
    receiver.setScript(() => ({ status: 200 }));
    await receiver.until(() => new Set(okAt('/storm').map((r) => (r.json as { data: { n: string } }).data.n)).size === 600, 30_000, 'the storm target to catch up');
  }, 60_000);

  it('keeps another target at full speed while one holds every request open', async () => {
    receiver.setScript((r) => (r.path === '/hang' ? { status: 200, delayMs: 8000 } : { status: 200 }));
    await deployFlow(fb, webhookFlow('hang', [{ url: `${receiver.url}/hang`, delivery: { timeoutMs: 10_000 } }]));
    await deployFlow(fb, webhookFlow('quick', [{ url: `${receiver.url}/quick` }]));
    await sendMany('hang', 'h', 250);
    await receiver.until(() => at('/hang').length >= 150, 15_000, 'the slow target to fill up');
    const ms = await timeToDeliver('/quick', 200, () => sendMany('quick', 'q', 200));
    expect(ms).toBeLessThan(8000);
    // All the while, the slow target's requests were still open.
    expect(at('/hang').filter((r) => r.answeredAt === undefined).length).toBeGreaterThan(100);
  }, 60_000);
});

describe('pacing', () => {
  it('sends no more requests per second than the rate limit allows', async () => {
    receiver.setScript(() => ({ status: 200 }));
    await deployFlow(fb, webhookFlow('paced', [{ url: `${receiver.url}/paced`, delivery: { rateLimit: { perSecond: 10 } } }]));
    await sendMany('paced', 'p', 35);
    await receiver.until(() => at('/paced').length >= 35, 20_000);
    const times = at('/paced').map((r) => r.at).sort((a, b) => a - b);
    // 35 requests at 10 per second take at least three full windows after the first.
    expect(times[34]! - times[0]!).toBeGreaterThanOrEqual(2500);
    for (let i = 0; i + 10 < times.length; i++) expect(times[i + 10]! - times[i]!).toBeGreaterThanOrEqual(900);
  }, 30_000);

  it('keeps at most max-in-flight requests open at the target', async () => {
    receiver.setScript((r) => (r.path === '/narrow' ? { status: 200, delayMs: 100 } : { status: 200 }));
    await deployFlow(fb, webhookFlow('narrow', [{ url: `${receiver.url}/narrow`, delivery: { rateLimit: { maxInFlight: 3 } } }]));
    await sendMany('narrow', 'n', 24);
    await receiver.until(() => okAt('/narrow').length >= 24, 20_000);
    const narrow = receiver.requests.filter((r) => r.path === '/narrow');
    const peak = receiverPeak(narrow);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

function receiverPeak(requests: { at: number; answeredAt?: number }[]): number {
  const edges = requests.flatMap((r): [number, number][] => [[r.at, 1], [r.answeredAt ?? Number.MAX_SAFE_INTEGER, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (n += d));
  return peak;
}

describe('circuit breaker', () => {
  it('stops calling a failing target after N failures, probes after the cool-down, and lets events wait without using their attempts', async () => {
    receiver.setScript((r) => (r.path === '/down' ? { status: 503, body: 'down' } : { status: 200 }));
    await deployFlow(fb, webhookFlow('breaker', [{ url: `${receiver.url}/down`, delivery: { maxAttempts: 4, rateLimit: { maxInFlight: 1 }, circuitBreaker: { failureThreshold: 3, coolDownMs: 700 } } }]));
    await sendMany('breaker', 'b', 20);
    // Three failures open the circuit; then one probe per cool-down.
    await receiver.until(() => at('/down').length >= 6, 15_000, 'three failures and three probes');
    const times = at('/down').map((r) => r.at);
    for (let i = 3; i < 6; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(600);
    const state = (await fb.api('GET', '/targets/breaker.out')).json.state;
    expect(['open', 'half-open']).toContain(state.breaker.state);
    expect(state.breaker.opens).toBeGreaterThanOrEqual(2);
    // Waiting used no attempts: no event has reached its 4 attempts.
    expect((await fb.api('GET', '/dead-letters?flowId=breaker')).json.items).toHaveLength(0);

    receiver.setScript(() => ({ status: 200 }));
    await receiver.until(() => okAt('/down').length >= 20, 20_000, 'all 20 delivered after recovery');
    expect((await fb.api('GET', '/dead-letters?flowId=breaker')).json.items).toHaveLength(0);
    const after = await eventually(async () => {
      const s = (await fb.api('GET', '/targets/breaker.out')).json.state;
      return s.breaker.state === 'closed' ? s : undefined;
    });
    expect(after.breaker.consecutiveFailures).toBe(0);
    const reset = await fb.api('POST', '/targets/breaker.out/breaker/reset');
    expect(reset.json.state.breaker.state).toBe('closed');
  }, 60_000);
});
