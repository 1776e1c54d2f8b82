// Crash safety and shutdown with real processes: worker processes killed with SIGKILL at
// random moments under load (plain and ordered), the managed redis-server killed with
// SIGKILL under load, and SIGTERM draining in-flight deliveries.
import { execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN } from '../support/flowbridge.ts';
import { spawnFlowbridge, type FlowbridgeProcess } from '../support/processes.ts';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../support/redis.ts';
import { webhookFlow } from './support/flows.ts';
import { startReceiver, type Received, type Receiver } from './support/receiver.ts';

let receiver: Receiver;
const processes: FlowbridgeProcess[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(() => {
  for (const p of processes.splice(0)) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
});
afterAll(async () => {
  await receiver.close();
  for (const p of prefixes) await deletePrefix(p);
});

function envFor(label: string, extra: Record<string, string> = {}): Record<string, string> {
  const prefix = uniquePrefix(label);
  prefixes.push(prefix);
  return {
    REDIS_URL: testRedisUrl(),
    FLOWBRIDGE_REDIS_PREFIX: prefix,
    FLOWBRIDGE_ADMIN_TOKEN: TEST_TOKEN,
    FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
    // Take over a dead process's work within seconds, not the production 30 s.
    FLOWBRIDGE_ROUTER_CLAIM_IDLE_MS: '2000',
    FLOWBRIDGE_JOB_LOCK_MS: '3000',
    ...extra,
  };
}

async function spawn(command: 'start' | 'api' | 'worker', env: Record<string, string>, args: string[] = []): Promise<FlowbridgeProcess> {
  const p = await spawnFlowbridge(command, command === 'worker' ? args : ['--port', '0', ...args], env, 45_000);
  processes.push(p);
  return p;
}

async function call(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/v1${p}`, { method, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function deploy(base: string, doc: { id: string }): Promise<void> {
  expect((await call(base, 'POST', '/flows', doc)).status).toBe(201);
  expect((await call(base, 'POST', `/flows/${doc.id}/deploy`)).status).toBe(200);
}

const idOf = (r: Received) => (r.json as { n: string }).n;
const delivered = (rs: Received[]) => rs.filter((r) => r.status === 200);

/** Sends events `${prefix}-0..count-1` with `parallel` requests in flight; returns the status of each. */
async function sendLoad(base: string, sourceId: string, prefix: string, count: number, parallel: number, data: (i: number) => Record<string, unknown> = () => ({})): Promise<Map<string, number>> {
  const statuses = new Map<string, number>();
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      const n = `${prefix}-${i}`;
      try {
        const res = await fetch(`${base}/webhooks/${sourceId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n, ...data(i) }) });
        statuses.set(n, res.status);
        await res.arrayBuffer();
      } catch {
        statuses.set(n, 0);
      }
    }
  }));
  return statuses;
}

/** Kills a random worker with SIGKILL every 1.5–3 s and starts a new one, until `stop()` holds; returns what each kill had in flight. */
async function killWorkersAtRandom(workers: FlowbridgeProcess[], env: Record<string, string>, stop: () => boolean, maxKills: number): Promise<{ kills: number; atRisk: number }> {
  let kills = 0;
  let atRisk = 0;
  while (!stop() && kills < maxKills) {
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1500));
    if (stop()) break;
    const i = Math.floor(Math.random() * workers.length);
    const victim = workers[i]!;
    const now = Date.now();
    // A duplicate can come only from a request in flight at the kill, or answered just before it and not yet recorded.
    atRisk += receiver.inFlight + receiver.requests.filter((r) => r.answeredAt !== undefined && now - r.answeredAt < 1000).length;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    kills++;
    workers[i] = await spawn('worker', env);
  }
  return { kills, atRisk };
}

describe('worker processes killed with SIGKILL', () => {
  it('delivers every one of 10,000 accepted events to a slow, sometimes failing target; duplicates only from killed requests, with the same idempotency key', async () => {
    const EVENTS = 10_000;
    const env = envFor('crash10k', { FLOWBRIDGE_DELIVERY_CONCURRENCY: '100' });
    receiver.setScript((r, i) => (r.path !== '/load' ? { status: 200 } : i % 20 === 7 ? { status: 503, delayMs: 10 } : { status: 200, delayMs: 10 + (i % 5) * 10 }));
    const api = await spawn('api', env);
    await deploy(api.url!, webhookFlow('crash10k', [{ url: `${receiver.url}/load`, delivery: { backoffBaseMs: 20, backoffMaxMs: 200, maxAttempts: 50 } }], { transform: "{ 'n': data.n }" }));
    const workers = [await spawn('worker', env), await spawn('worker', env)];
    const started = Date.now();
    let sent = false;
    const unique = () => new Set(delivered(receiver.requests.filter((r) => r.path === '/load')).map(idOf)).size;
    // Kills land while events arrive and while the backlog drains, not after the last delivery.
    const killing = killWorkersAtRandom(workers, env, () => sent && unique() >= EVENTS * 0.8, 4);
    const statuses = await sendLoad(api.url!, 'crash10k', 'c', EVENTS, 32);
    sent = true;
    const accepted = [...statuses.values()].filter((s) => s === 202).length;
    const sentMs = Date.now() - started;
    expect(accepted).toBe(EVENTS);
    const { kills, atRisk } = await killing;
    await receiver.until(() => unique() >= EVENTS, 60_000, `all ${EVENTS} events at the receiver`);

    const load = delivered(receiver.requests.filter((r) => r.path === '/load'));
    const byId = new Map<string, Received[]>();
    for (const r of load) byId.set(idOf(r), [...(byId.get(idOf(r)) ?? []), r]);
    const duplicates = load.length - byId.size;
    console.log(`crash 10k: accepted ${accepted}, delivered ${byId.size}, lost ${EVENTS - byId.size}, duplicates ${duplicates} (bound ${atRisk}), kills ${kills}, aborted requests ${receiver.requests.filter((r) => r.aborted).length}, sent in ${sentMs} ms, all delivered after ${Date.now() - started} ms`);
    expect(kills).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < EVENTS; i++) expect(byId.has(`c-${i}`)).toBe(true);
    expect(duplicates).toBeLessThanOrEqual(atRisk);
    for (const copies of byId.values()) expect(new Set(copies.map((r) => r.headers['idempotency-key'])).size).toBe(1);
  }, 120_000);

  it('keeps each key in order and loses nothing when a worker dies in the middle of a sequence', async () => {
    const KEYS = 100;
    const PER_KEY = 20;
    const env = envFor('crashord');
    // 250 ms per request: a key's 20 deliveries take ≥ 5 s, so the first kill (1.5–3 s in) lands mid-sequence.
    receiver.setScript((r) => (r.path === '/ordered' ? { status: 200, delayMs: 250 } : { status: 200 }));
    const api = await spawn('api', env);
    await deploy(api.url!, webhookFlow('crashord', [{ url: `${receiver.url}/ordered`, delivery: { orderingKey: '$.data.key', backoffBaseMs: 20, backoffMaxMs: 200, maxAttempts: 50 } }], { transform: "{ 'n': data.n, 'key': data.key, 'seq': data.seq }" }));
    const workers = [await spawn('worker', env), await spawn('worker', env)];
    const ordered = () => delivered(receiver.requests.filter((r) => r.path === '/ordered'));
    const unique = () => new Set(ordered().map(idOf)).size;
    // Kills land while sequences are half delivered.
    const killing = killWorkersAtRandom(workers, env, () => unique() >= KEYS * PER_KEY * 0.8, 3);
    // Each round sends the next event of every key: within a key, acceptance follows the sequence.
    for (let seq = 0; seq < PER_KEY; seq++) {
      const st = await sendLoad(api.url!, 'crashord', `o${seq}`, KEYS, 25, (i) => ({ key: `K${i}`, seq }));
      expect([...st.values()].every((s) => s === 202)).toBe(true);
    }
    const { kills } = await killing;
    await receiver.until(() => unique() >= KEYS * PER_KEY, 60_000, 'every ordered event');
    const byKey = new Map<string, { seq: number; at: number }[]>();
    for (const r of receiver.requests.filter((x) => x.path === '/ordered')) {
      const b = r.json as { key: string; seq: number };
      byKey.set(b.key, [...(byKey.get(b.key) ?? []), { seq: b.seq, at: r.at }]);
    }
    let repeats = 0;
    for (const [key, seen] of byKey) {
      // Requests of a key, in the order they reached the target: never a later event before an earlier one;
      // a repeat is only ever the event in turn sent again after its worker died.
      let high = -1;
      for (const { seq } of seen) {
        if (seq === high) repeats++;
        else expect(seq, `${key}: ${seen.map((s) => s.seq).join(',')}`).toBe(high + 1);
        high = Math.max(high, seq);
      }
      expect(high).toBe(PER_KEY - 1);
    }
    console.log(`crash ordered: ${KEYS} keys × ${PER_KEY}, kills ${kills}, repeats of the event in turn ${repeats}, lost 0`);
    expect(kills).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

describe('the managed redis-server killed with SIGKILL', () => {
  it('reports unhealthy and answers ingest 503 while Redis is down, recovers by itself from repeated crashes, and delivers every event it answered 202', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-redis-crash-'));
    let poller: ChildProcess | undefined;
    try {
      receiver.setScript(() => ({ status: 200 }));
      const fbp = await spawn('start', { ...envFor('redis9'), REDIS_URL: '', FLOWBRIDGE_DATA_DIR: dataDir }, ['--data-dir', dataDir]);
      const base = fbp.url!;
      await deploy(base, webhookFlow('redis9', [{ url: `${receiver.url}/redis9`, delivery: { backoffBaseMs: 50, backoffMaxMs: 500, maxAttempts: 100 } }], { transform: "{ 'n': data.n }" }));
      const redisPid = () => {
        let rows: string[];
        try {
          rows = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(fbp.proc.pid)]).toString().trim().split('\n');
        } catch {
          return 0; // ps exits 1 when the process has no children (between a crash and the restart)
        }
        return Number(rows.map((row) => row.trim().split(/\s+/)).find(([, comm]) => comm === 'redis-server')?.[0] ?? 0);
      };
      const firstPid = redisPid();
      expect(firstPid).toBeGreaterThan(0);

      const statuses = new Map<string, number>();
      const health: number[] = [];
      let n = 0;
      let killedAt = 0;
      let recoveredAt = 0;
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const id = `r-${n++}`;
          try {
            const res = await fetch(`${base}/webhooks/redis9`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: id }) });
            await res.arrayBuffer();
            statuses.set(id, res.status);
            if (killedAt && res.status === 202 && !recoveredAt && [...statuses.values()].includes(503)) recoveredAt = Date.now();
          } catch {
            statuses.set(id, 0);
          }
        }
      };
      // Health is sampled by a separate process, so this process's own load cannot make it miss the outage.
      poller = spawnChild('sh', ['-c', `while :; do curl -s -m 2 -o /dev/null -w '%{http_code}\\n' ${base}/healthz; done`], { stdio: ['ignore', 'pipe', 'ignore'] });
      poller.stdout!.on('data', (d: Buffer) => health.push(...d.toString().split('\n').filter(Boolean).map(Number)));
      const load = Promise.all(Array.from({ length: 4 }, sender));
      await receiver.until(() => receiver.requests.filter((r) => r.path === '/redis9').length >= 200, 20_000, 'deliveries before the kill');
      // Three crashes in a row (each restarted server killed as soon as it is up): an outage long enough to watch.
      killedAt = Date.now();
      let pid = firstPid;
      for (let k = 0; k < 3; k++) {
        process.kill(pid, 'SIGKILL');
        const dead = pid;
        const deadline = Date.now() + 10_000;
        while ((pid = redisPid()) === dead || pid === 0) {
          if (Date.now() > deadline) throw new Error('the managed redis-server was not restarted');
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 30_000;
        const tick = () => {
          if (recoveredAt && Date.now() - recoveredAt > 1000) return resolve();
          if (Date.now() > deadline) return reject(new Error('ingest did not recover within 30 s'));
          setTimeout(tick, 50);
        };
        tick();
      });
      stop = true;
      await load;
      expect(redisPid()).not.toBe(firstPid);

      const accepted = [...statuses].filter(([, s]) => s === 202).map(([id]) => id);
      const refused = [...statuses.values()].filter((s) => s === 503).length;
      const other = [...statuses.values()].filter((s) => s !== 202 && s !== 503);
      await receiver.until(() => {
        const got = new Set(receiver.requests.filter((r) => r.path === '/redis9' && r.status === 200).map(idOf));
        return accepted.every((id) => got.has(id));
      }, 45_000, `all ${accepted.length} events answered 202`);
      console.log(`redis kill: accepted ${accepted.length}, refused 503 ${refused}, other ${other.length}, unhealthy answers ${health.filter((h) => h === 503).length}, recovered in ${recoveredAt - killedAt} ms, lost 0`);
      expect(refused).toBeGreaterThan(0);
      expect(health).toContain(503);
      // Healthy again after the outage (a sample may also be 0: curl timing out on a busy machine).
      expect(health.lastIndexOf(200)).toBeGreaterThan(health.lastIndexOf(503));
      expect(other).toEqual([]);
    } finally {
      poller?.kill('SIGKILL');
      for (const p of processes.splice(0)) {
        p.proc.kill('SIGTERM');
        await p.exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('SIGTERM', () => {
  it('stops taking new work, finishes in-flight deliveries within the grace period and exits 0', async () => {
    const env = envFor('drain', { FLOWBRIDGE_SHUTDOWN_GRACE_MS: '10000' });
    receiver.setScript((r) => (r.path === '/drain' ? { status: 200, delayMs: 2000 } : { status: 200 }));
    const api = await spawn('api', env);
    await deploy(api.url!, webhookFlow('drain', [{ url: `${receiver.url}/drain` }], { transform: "{ 'n': data.n }" }));
    const worker = await spawn('worker', env);
    await sendLoad(api.url!, 'drain', 'd', 20, 20);
    await receiver.until(() => receiver.requests.filter((r) => r.path === '/drain').length >= 20, 20_000, '20 requests in flight');
    const termAt = Date.now();
    worker.proc.kill('SIGTERM');
    // Events accepted after SIGTERM wait for the next worker.
    await sendLoad(api.url!, 'drain', 'late', 10, 10);
    const code = await worker.exited;
    const exitedAt = Date.now();
    const drain = receiver.requests.filter((r) => r.path === '/drain');
    expect(code).toBe(0);
    expect(exitedAt - termAt).toBeLessThan(10_000);
    expect(drain).toHaveLength(20);
    expect(drain.every((r) => r.status === 200 && !r.aborted)).toBe(true);
    expect(drain.every((r) => r.answeredAt! <= exitedAt)).toBe(true);

    // A new worker delivers the late events, and does not send the drained ones again.
    await spawn('worker', env);
    await receiver.until(() => receiver.requests.filter((r) => r.path === '/drain').length >= 30, 30_000, 'the late events');
    await receiver.until(() => receiver.requests.filter((r) => r.path === '/drain' && r.status === 200).length >= 30, 30_000);
    const ids = receiver.requests.filter((r) => r.path === '/drain').map(idOf);
    expect(new Set(ids).size).toBe(30);
    console.log(`SIGTERM drain: 20 in flight finished, exit 0 after ${exitedAt - termAt} ms, 10 late events delivered by the next worker, duplicates 0`);
  }, 90_000);

  it('aborts deliveries still in flight when the grace period ends, exits 0, and the next worker delivers them', async () => {
    const env = envFor('grace', { FLOWBRIDGE_SHUTDOWN_GRACE_MS: '500' });
    let hanging = true;
    receiver.setScript((r) => (r.path === '/grace' && hanging ? { status: 200, delayMs: 20_000 } : { status: 200 }));
    const api = await spawn('api', env);
    await deploy(api.url!, webhookFlow('grace', [{ url: `${receiver.url}/grace`, delivery: { timeoutMs: 30_000 } }], { transform: "{ 'n': data.n }" }));
    const worker = await spawn('worker', env);
    await sendLoad(api.url!, 'grace', 'g', 5, 5);
    await receiver.until(() => receiver.requests.filter((r) => r.path === '/grace').length >= 5, 20_000, '5 requests in flight');
    const termAt = Date.now();
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(8000);
    expect(receiver.requests.filter((r) => r.path === '/grace').every((r) => r.aborted)).toBe(true);
    hanging = false;
    await spawn('worker', env);
    await receiver.until(() => new Set(receiver.requests.filter((r) => r.path === '/grace' && r.status === 200).map(idOf)).size === 5, 30_000, 'the aborted deliveries');
  }, 90_000);
});
