// Delivery benchmark: flowbridge processes (`api` + `worker`) on a durable (AOF) Redis, a
// local receiver, and one scenario at a time. Numbers, not pass/fail.
//   fast     deliveries/s to a target that answers at once (a preloaded backlog)
//   slow     deliveries/s to a target answering in 200 ms, 500 requests in flight
//   outage   a steady load while the target is down for 60 s: backlog, drain time after recovery
//   ordered  deliveries/s with an ordering key over 1,000 keys, order checked at the receiver
//   crash    SIGKILL of worker processes under load: accepted, delivered, duplicates, lost
//   cost     Redis and worker CPU per job a target cannot take now: per-target queue pause
//            (this design) against a single queue that moves such jobs to delayed
//   node bin/run-ts.js bench/delivery/run.ts [--scenarios fast,slow,outage,ordered,crash,cost]
//     [--events 20000] [--outage-seconds 60] [--rate 300]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../server/redis/embedded-redis.ts';
import { processCpuSeconds, redisCpuSeconds, waitForLine } from '../support/measure.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SCENARIOS = flag('scenarios', 'fast,slow,outage,ordered,crash,cost').split(',');
const EVENTS = Number(flag('events', '20000'));
const OUTAGE_SECONDS = Number(flag('outage-seconds', '60'));
const RATE = Number(flag('rate', '300'));
const root = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'bench';

// --- the receiver: per path, what arrived, how it answers ---
interface Sink {
  delayMs: number;
  down: boolean;
  ids: Set<string>;
  requests: number;
  duplicates: number;
  firstAt: number;
  lastNewAt: number;
  inFlight: number;
  peak: number;
  /** Ordered scenario: the last sequence number per key, and how often one arrived out of order. */
  /** When the 10% and 90% marks of `expected` new deliveries were passed (steady-state rate). */
  expected: number;
  at10: number;
  at90: number;
  lastSeq: Map<string, number>;
  outOfOrder: number;
  failEvery: number;
}
const sinks = new Map<string, Sink>();
function sink(name: string, init: Partial<Sink> = {}): Sink {
  const s: Sink = { delayMs: 0, down: false, ids: new Set(), requests: 0, duplicates: 0, firstAt: 0, lastNewAt: 0, inFlight: 0, peak: 0, expected: 0, at10: 0, at90: 0, lastSeq: new Map(), outOfOrder: 0, failEvery: 0, ...init };
  sinks.set(name, s);
  return s;
}
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const s = sinks.get(req.url ?? '');
    if (!s) {
      res.writeHead(404).end();
      return;
    }
    s.requests++;
    const answer = (status: number) => {
      s.inFlight--;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    };
    s.inFlight++;
    s.peak = Math.max(s.peak, s.inFlight);
    if (s.down || (s.failEvery && s.requests % s.failEvery === 0)) {
      answer(503);
      return;
    }
    const ev = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; data?: { key?: string; seq?: number } };
    const reply = () => {
      const now = performance.now();
      if (!s.firstAt) s.firstAt = now;
      if (s.ids.has(ev.id)) s.duplicates++;
      else {
        s.ids.add(ev.id);
        s.lastNewAt = now;
        if (s.ids.size === Math.ceil(s.expected * 0.1)) s.at10 = now;
        if (s.ids.size === Math.ceil(s.expected * 0.9)) s.at90 = now;
        const key = ev.data?.key;
        if (key !== undefined && ev.data?.seq !== undefined) {
          const last = s.lastSeq.get(key) ?? -1;
          if (ev.data.seq < last) s.outOfOrder++;
          s.lastSeq.set(key, Math.max(last, ev.data.seq));
        }
      }
      answer(200);
    };
    if (s.delayMs) setTimeout(reply, s.delayMs);
    else reply();
  });
});
receiver.keepAliveTimeout = 60_000;
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

// --- Redis (durable, as flowbridge start runs it) and flowbridge processes ---
const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-delivery-'));
const redisServer = await startEmbeddedRedis({ dataDir: redisDir, appendOnly: true });
const redisUrl = redisServer.url;

interface System {
  api: string;
  workers: ChildProcess[];
  env: Record<string, string>;
  procs: ChildProcess[];
}

async function startWorker(sys: System): Promise<ChildProcess> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the worker processes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const w = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin/flowbridge.js'), 'worker'], { env: sys.env, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(w, /flowbridge worker running/);
  sys.procs.push(w);
  return w;
}

async function startSystem(label: string, workers: number, extraEnv: Record<string, string> = {}): Promise<System> {
  const env = {
    ...process.env, REDIS_URL: redisUrl, FLOWBRIDGE_REDIS_PREFIX: `bench-${label}-${Date.now().toString(36)}`, FLOWBRIDGE_ADMIN_TOKEN: TOKEN,
    FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8', FLOWBRIDGE_LOG_LEVEL: 'warn', ...extraEnv,
  } as Record<string, string>;
  const api = spawn(process.execPath, [path.join(root, 'bin/flowbridge.js'), 'api', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await waitForLine(api, /flowbridge listening on (http:\/\/\S+)/);
  const sys: System = { api: m[1]!, workers: [], env, procs: [api] };
  for (let i = 0; i < workers; i++) sys.workers.push(await startWorker(sys));
  return sys;
}

async function stopSystem(sys: System): Promise<void> {
  await Promise.all(sys.procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise<void>((r) => {
    p.once('exit', () => r());
    p.kill('SIGTERM');
  })));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the benchmark reads a few fields of API answers
async function api(sys: System, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sys.api}/api/v1${p}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A bus and a flow on it: every bus event to the receiver path, with this delivery policy. */
async function deployBusFlow(sys: System, name: string, delivery: Record<string, unknown>): Promise<void> {
  await api(sys, 'POST', '/buses', { name });
  await api(sys, 'POST', '/flows', {
    id: name, name, bus: name,
    nodes: [{ id: 'in', type: 'source.bus', config: {} }, { id: 'out', type: 'target.http', config: { url: `${receiverUrl}/${name}` }, delivery }],
    edges: [{ source: 'in', target: 'out' }],
  });
  await api(sys, 'POST', `/flows/${name}/deploy`);
}

/** Sends events in CloudEvents batches of 500; returns how many were accepted. */
async function sendBatch(sys: System, bus: string, events: { id: string; data: unknown }[]): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < events.length; i += 500) {
    const batch = events.slice(i, i + 500).map((e) => ({ specversion: '1.0', id: e.id, source: 'bench', type: 'bench.event', data: e.data }));
    const res = await fetch(`${sys.api}/events/${bus}`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) });
    await res.arrayBuffer();
    if (res.status === 202) accepted += batch.length;
  }
  return accepted;
}

function cpuSeconds(pid: number): number {
  try {
    return processCpuSeconds(pid);
  } catch {
    return 0;
  }
}
const redisCpu = () => redisCpuSeconds(redisUrl);
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
const round = (n: number) => Math.round(n);
const results: Record<string, unknown> = {};
const loadAvg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** A preloaded backlog of `n` events delivered to a target with `delayMs` latency. */
async function throughput(label: string, n: number, delayMs: number, delivery: Record<string, unknown>, env: Record<string, string> = {}, data: (i: number) => unknown = (i) => ({ i })) {
  const sys = await startSystem(label, 1, env);
  const s = sink(`/${label}`, { delayMs, expected: n });
  await deployBusFlow(sys, label, delivery);
  const [workerCpu0, redisCpu0, benchCpu0] = [cpuSeconds(sys.workers[0]!.pid!), await redisCpu(), process.cpuUsage()];
  const t0 = performance.now();
  const accepted = await sendBatch(sys, label, Array.from({ length: n }, (_, i) => ({ id: `${label}-${i}`, data: data(i) })));
  const ingestMs = performance.now() - t0;
  const done = await until(() => s.ids.size >= accepted, 600_000);
  const seconds = (s.lastNewAt - s.firstAt) / 1000;
  const out = {
    events: n, accepted, delivered: s.ids.size, lost: accepted - s.ids.size, duplicates: s.duplicates, finished: done,
    ingestSeconds: +(ingestMs / 1000).toFixed(1), deliverySeconds: +seconds.toFixed(1), deliveriesPerSec: round(s.ids.size / seconds),
    // Between the 10% and 90% marks: without the start (routing the whole backlog, opening connections) and the tail.
    steadyDeliveriesPerSec: round((0.8 * n) / ((s.at90 - s.at10) / 1000)),
    peakInFlight: s.peak, outOfOrder: s.outOfOrder,
    workerCpuPerSec: +((cpuSeconds(sys.workers[0]!.pid!) - workerCpu0) / seconds).toFixed(2), redisCpuPerSec: +((await redisCpu() - redisCpu0) / seconds).toFixed(2),
    receiverCpuPerSec: +(((u) => (u.user + u.system) / 1e6)(process.cpuUsage(benchCpu0)) / seconds).toFixed(2),
    loadAverage: loadAvg(),
  };
  await stopSystem(sys);
  return out;
}

async function outage() {
  const label = 'outage';
  const sys = await startSystem(label, 1);
  const s = sink(`/${label}`);
  await deployBusFlow(sys, label, {});
  let accepted = 0;
  let n = 0;
  let sending = true;
  // Open loop: RATE events per second in 10 batches a second, whatever the target does.
  const sender = (async () => {
    const start = performance.now();
    while (sending) {
      const due = Math.floor(((performance.now() - start) / 1000) * RATE);
      const batch: { id: string; data: unknown }[] = [];
      while (n < due) batch.push({ id: `o-${n++}`, data: { i: n } });
      if (batch.length) accepted += await sendBatch(sys, label, batch);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await new Promise((r) => setTimeout(r, 10_000));
  s.down = true;
  const downAt = performance.now();
  const requestsBefore = s.requests;
  await new Promise((r) => setTimeout(r, OUTAGE_SECONDS * 1000));
  s.down = false;
  const upAt = performance.now();
  const backlog = accepted - s.ids.size;
  const requestsDuringOutage = s.requests - requestsBefore;
  // The load goes on for 10 s after recovery, then stops; drained = everything accepted so far delivered.
  let drainedAt = 0;
  const watch = (async () => {
    await until(() => s.ids.size >= accepted, 600_000);
    drainedAt = performance.now();
  })();
  await new Promise((r) => setTimeout(r, 10_000));
  sending = false;
  await sender;
  await watch;
  if (s.ids.size < accepted) await until(() => s.ids.size >= accepted, 300_000);
  drainedAt ||= performance.now();
  const deadLetters = (await api(sys, 'GET', '/dead-letters?flowId=outage&limit=500')).items.length;
  const target = await api(sys, 'GET', '/targets/outage.out');
  await stopSystem(sys);
  return {
    offeredPerSec: RATE, outageSeconds: OUTAGE_SECONDS, accepted, delivered: s.ids.size, lost: accepted - s.ids.size, duplicates: s.duplicates, deadLetters,
    backlogAtRecovery: backlog, requestsToTheDownTarget: requestsDuringOutage, breakerOpens: target.state.breaker.opens,
    drainSecondsAfterRecovery: +((drainedAt - upAt) / 1000).toFixed(1), outageMeasuredSeconds: +((upAt - downAt) / 1000).toFixed(1), loadAverage: loadAvg(),
  };
}

async function crash() {
  const label = 'crash';
  const n = 10_000;
  const sys = await startSystem(label, 2, { FLOWBRIDGE_JOB_LOCK_MS: '3000', FLOWBRIDGE_ROUTER_CLAIM_IDLE_MS: '2000', FLOWBRIDGE_DELIVERY_CONCURRENCY: '100' });
  const s = sink(`/${label}`, { delayMs: 20, failEvery: 20 });
  await deployBusFlow(sys, label, { backoffBaseMs: 20, backoffMaxMs: 200, maxAttempts: 50 });
  const sending = sendBatch(sys, label, Array.from({ length: n }, (_, i) => ({ id: `c-${i}`, data: { i } })));
  let kills = 0;
  while (kills < 3) {
    await new Promise((r) => setTimeout(r, 2000));
    const i = kills % sys.workers.length;
    const victim = sys.workers[i]!;
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    kills++;
    sys.workers[i] = await startWorker(sys);
  }
  const accepted = await sending;
  const finished = await until(() => s.ids.size >= accepted, 300_000);
  await stopSystem(sys);
  return { accepted, delivered: s.ids.size, lost: accepted - s.ids.size, duplicates: s.duplicates, kills, finished, loadAverage: loadAvg() };
}

/**
 * The cost of a job that its target cannot take now. Single queue: the worker takes it,
 * finds no slot, and moves it back to delayed (BullMQ without Pro has no per-group limit).
 * Per-target queues (this design): the target's queue is paused; its jobs are not touched.
 */
async function cost() {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-cost-${Date.now().toString(36)}`;
  const measure = async (name: string, setup: (q: Queue) => Promise<void>, processor: ((job: Job, token?: string) => Promise<void>) | undefined, seconds: number) => {
    const q = new Queue(name, { connection: redis, prefix });
    await q.addBulk(Array.from({ length: 10_000 }, (_, i) => ({ name: 'j', data: { i }, opts: { removeOnComplete: true } })));
    await setup(q);
    let calls = 0;
    const [cpu0, r0] = [process.cpuUsage(), await redisCpu()];
    const w = processor ? new Worker(name, async (job, token) => {
      calls++;
      await processor(job, token);
    }, { connection: redis, prefix, concurrency: 50 }) : undefined;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await w?.close();
    const cpu = process.cpuUsage(cpu0);
    const redisSeconds = (await redisCpu()) - r0;
    await q.obliterate({ force: true });
    await q.close();
    return { jobsTouchedPerSec: round(calls / seconds), workerCpuPerSec: +((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2), redisCpuPerSec: +(redisSeconds / seconds).toFixed(2), usPerJobTouch: calls ? round(((cpu.user + cpu.system) / 1e6 + redisSeconds) / calls * 1e6) : 0 };
  };
  // Moved to delayed by 100 ms each time: how much a refused slot costs while the target is full.
  const singleQueue = await measure('cost-single', async () => undefined, async (job, token) => {
    await job.moveToDelayed(Date.now() + 100, token);
    throw new DelayedError();
  }, 5);
  // A paused per-target queue: a worker runs, the jobs wait untouched.
  const perTarget = await measure('cost-paused', async (q) => {
    await q.setGlobalRateLimit(1_000_000, 1000);
    await q.rateLimit(60_000);
  }, async () => undefined, 5);
  // For scale: a job that is delivered (taken, completed) with no delivery work.
  const plain = await measure('cost-plain', async () => undefined, async () => undefined, 2);
  redis.disconnect();
  return { singleQueueRequeue: singleQueue, perTargetPause: perTarget, plainJob: plain };
}

console.log(`delivery benchmark on ${os.cpus().length} cores, load average ${loadAvg()}, Redis AOF (appendfsync everysec)`);
try {
  for (const scenario of SCENARIOS) {
    const started = Date.now();
    if (scenario === 'fast') results.fast = await throughput('fast', EVENTS, 0, {});
    else if (scenario === 'slow') results.slow200ms = await throughput('slow', EVENTS, 200, { rateLimit: { maxInFlight: 500 }, timeoutMs: 5000 });
    else if (scenario === 'slow-local') results.slow200msLocal = await throughput('slowlocal', EVENTS, 200, { timeoutMs: 5000 }, { FLOWBRIDGE_DELIVERY_CONCURRENCY: '500' });
    else if (scenario === 'ordered') results.ordered1000Keys = await throughput('ordered', EVENTS, 0, { orderingKey: '$.data.key' }, {}, (i) => ({ key: `K${i % 1000}`, seq: Math.floor(i / 1000) }));
    else if (scenario === 'outage') results.outage = await outage();
    else if (scenario === 'crash') results.crash = await crash();
    else if (scenario === 'cost') results.cost = await cost();
    else throw new Error(`unknown scenario ${scenario}`);
    console.log(`${scenario} (${Math.round((Date.now() - started) / 1000)} s):`, JSON.stringify((results as Record<string, unknown>)[Object.keys(results).pop()!]));
  }
  fs.writeFileSync(path.join(root, 'bench/delivery/results.json'), `${JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, results }, null, 2)}\n`);
} finally {
  receiver.closeAllConnections();
  receiver.close();
  await redisServer.stop();
  fs.rmSync(redisDir, { recursive: true, force: true });
}
