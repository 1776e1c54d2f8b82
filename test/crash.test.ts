// Crash safety with real processes: a worker process (router + deliveries) is killed with
// SIGKILL in the middle of a load; after a restart every accepted event is delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { TEST_SECRET_KEY, TEST_TOKEN } from './support/flowbridge.ts';
import { spawnFlowbridge, type FlowbridgeProcess } from './support/processes.ts';
import { deletePrefix, testRedisUrl, uniquePrefix } from './support/redis.ts';

const EVENTS = 1000;
let prefix: string;
let env: Record<string, string>;
let api: FlowbridgeProcess;
let target: FakeTarget;
const workers: FlowbridgeProcess[] = [];

beforeAll(async () => {
  prefix = uniquePrefix('crash');
  env = {
    REDIS_URL: testRedisUrl(),
    FLOWBRIDGE_REDIS_PREFIX: prefix,
    FLOWBRIDGE_ADMIN_TOKEN: TEST_TOKEN,
    FLOWBRIDGE_SECRET_KEY: TEST_SECRET_KEY,
    FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
    // Take over a dead process's work within seconds, not the production 30 s.
    FLOWBRIDGE_ROUTER_CLAIM_IDLE_MS: '2000',
    FLOWBRIDGE_JOB_LOCK_MS: '2000',
  };
  target = await startFakeTarget();
  // A slow target keeps deliveries in flight when the worker dies.
  target.setFallback({ status: 200, body: '{}', delayMs: 5 });
  api = await spawnFlowbridge('api', ['--port', '0'], env);
}, 60_000);

afterAll(async () => {
  for (const p of [...workers, api]) if (p && p.proc.exitCode === null) p.proc.kill('SIGKILL');
  await target.close();
  await deletePrefix(prefix);
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as unknown };
}

describe('a worker process killed with SIGKILL under load', () => {
  it('delivers every accepted event after a restart, none lost', async () => {
    const flow = {
      id: 'crash',
      name: 'Crash test',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'crash', id: { path: '$.n' } } },
        { id: 'map', type: 'transform', config: { type: 'jsonata', expression: "{ 'n': data.n }" } },
        { id: 'out', type: 'target.http', config: { url: `${target.url}/in` }, delivery: { backoffBaseMs: 20, backoffMaxMs: 200, maxAttempts: 50 } },
      ],
      edges: [{ source: 'in', target: 'map' }, { source: 'map', target: 'out' }],
    };
    expect((await call('POST', '/flows', flow)).status).toBe(201);
    expect((await call('POST', '/flows/crash/deploy')).status).toBe(200);
    workers.push(await spawnFlowbridge('worker', [], env));

    // Send the load with 16 requests in flight; kill the worker once a quarter has arrived.
    let next = 0;
    let acceptedCount = 0;
    let killed = false;
    const sender = async () => {
      while (next < EVENTS) {
        const n = next++;
        const res = await fetch(`${api.url}/webhooks/crash`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: `e${n}` }) });
        if (res.status === 202) acceptedCount++;
        else throw new Error(`event ${n}: ${res.status} ${await res.text()}`);
        if (!killed && target.received.length >= EVENTS / 4) {
          killed = true;
          workers[0]!.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    if (!killed) {
      workers[0]!.proc.kill('SIGKILL');
      killed = true;
    }
    await workers[0]!.exited;
    const beforeRestart = new Set(target.received.map((r) => (r.json as { n: string }).n)).size;
    workers.push(await spawnFlowbridge('worker', [], env));

    const unique = () => new Set(target.received.map((r) => (r.json as { n: string }).n));
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const tick = () => {
        if (unique().size >= EVENTS) return resolve();
        if (Date.now() > deadline) return reject(new Error(`only ${unique().size} of ${EVENTS} events delivered`));
        setTimeout(tick, 100);
      };
      tick();
    });
    const ids = unique();
    const duplicates = target.received.length - ids.size;
    // Report the numbers (not asserted beyond correctness): how much was redone after the crash.
    console.log(`crash test: accepted ${acceptedCount}, delivered before kill ~${beforeRestart}, unique delivered ${ids.size}, duplicates ${duplicates}, lost ${EVENTS - ids.size}`);
    expect(acceptedCount).toBe(EVENTS);
    expect(ids.size).toBe(EVENTS);
    for (let n = 0; n < EVENTS; n++) expect(ids.has(`e${n}`)).toBe(true);
    // Duplicates carry the same idempotency key as the first delivery of their event.
    const keys = new Map<string, string>();
    for (const r of target.received) {
      const n = (r.json as { n: string }).n;
      const key = String(r.headers['idempotency-key']);
      expect(keys.get(n) ?? key).toBe(key);
      keys.set(n, key);
    }
  }, 120_000);
});
