// End-to-end benchmark: webhook → filter → JSONata transform → HTTP POST to a local
// receiver, for flowbridge, a naive reference pipeline and the floor of the delivery design
// (bench/e2e/floor.ts), on one durable (AOF) Redis.
// Reports accepted/s, delivered/s, p50/p99 end-to-end latency (stamped at send, measured at
// the receiver) and events lost, at fixed offered rates and at maximum. Numbers, not pass/fail.
//   node bin/run-ts.js bench/e2e/run.ts [--seconds 30] [--rates 1000,2000] [--systems flowbridge,reference,floor] [--max-concurrency 128]
// BENCH_COMMANDSTATS=1 prints Redis's calls and CPU per delivered event, by command;
// BENCH_STAGES=1 where flowbridge's events spent their time (from their traces).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { startEmbeddedRedis } from '../../server/redis/embedded-redis.ts';
import { commandStatsPerEvent, processCpuSeconds, redisCpuSeconds, resetCommandStats, waitForLine } from '../support/measure.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SECONDS = Number(flag('seconds', '30'));
const RATES = flag('rates', '1000,2000').split(',').filter(Boolean).map(Number);
const SYSTEMS = flag('systems', 'flowbridge,reference,floor').split(',');
const MAX_CONCURRENCY = Number(flag('max-concurrency', '128'));
const DRAIN_MS = 30_000;
const WARMUP_SECONDS = Number(flag('warmup', '5'));
const root = path.resolve(import.meta.dirname, '../..');
// flowbridge runs with the Node flags `npm start` gives it (read from package.json, so the two cannot drift).
const startScript = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
const START_NODE_FLAGS = /node ((?:--\S+ )*)bin\/flowbridge\.js start/.exec(startScript)?.[1]?.trim().split(' ').filter(Boolean) ?? [];

interface Result {
  system: string;
  mode: string;
  offered: number | 'max';
  seconds: number;
  accepted: number;
  rejected: number;
  acceptedPerSec: number;
  deliveredPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU seconds used during the measured window, per measured second. */
  systemCpu: number;
  redisCpu: number;
  /** The benchmark's own CPU (load generator and receiver) per measured second. */
  benchCpu: number;
  lost: number;
  duplicates: number;
}

// --- the receiver: records the latency of every event, by id ---
const received = new Map<string, number>();
const timeline: [sentAt: number, latency: number][] = [];
let duplicates = 0;
let lastReceivedAt = 0;
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = performance.now();
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { n: string; sentAt: number };
      if (received.has(body.n)) duplicates++;
      else {
        received.set(body.n, now - body.sentAt);
        if (process.env.BENCH_TIMELINE) timeline.push([body.sentAt, now - body.sentAt]);
      }
      lastReceivedAt = now;
    } catch {
      // counted as lost below
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
receiver.keepAliveTimeout = 60_000;
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const targetUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/attendance`;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function startSystem(system: string, redisUrl: string): Promise<{ proc: ChildProcess; url: string }> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to the system measured.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (system === 'floor') {
    const proc = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin/run-ts.js'), path.join(root, 'bench/e2e/floor.ts')], { env: { ...process.env, REDIS_URL: redisUrl, TARGET_URL: targetUrl }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    await waitForLine(proc, /floor ready/);
    return { proc, url: '' };
  }
  if (system === 'reference') {
    const proc = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin/run-ts.js'), path.join(root, 'bench/e2e/reference.ts')], { env: { ...process.env, REDIS_URL: redisUrl, TARGET_URL: targetUrl, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const m = await waitForLine(proc, /reference listening on (http:\/\/\S+)/);
    return { proc, url: `${m[1]}/webhooks/bench` };
  }
  const env = { ...process.env, REDIS_URL: redisUrl, FLOWBRIDGE_ADMIN_TOKEN: 'bench', FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8', FLOWBRIDGE_LOG_LEVEL: 'warn' };
  // flowbridge-split: the API in one process, router and deliveries in another (same Redis).
  const split = system === 'flowbridge-split';
  const proc = spawn(process.execPath, [...START_NODE_FLAGS, ...nodeArgs, path.join(root, 'bin/flowbridge.js'), split ? 'api' : 'start', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await waitForLine(proc, /flowbridge listening on (http:\/\/\S+)/);
  if (split) {
    const worker = spawn(process.execPath, [...START_NODE_FLAGS, ...nodeArgs, path.join(root, 'bin/flowbridge.js'), 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(worker, /flowbridge worker running/);
    proc.once('exit', () => worker.kill('SIGTERM'));
  }
  const base = m[1]!;
  const flow = {
    id: 'bench',
    name: 'Benchmark',
    nodes: [
      { id: 'in', type: 'source.webhook', config: { sourceId: 'bench', id: { path: '$.n' }, type: { value: 'erp.employee.changed' } } },
      { id: 'active', type: 'filter', config: { pattern: { data: { status: ['active'] } } } },
      { id: 'map', type: 'transform', config: { type: 'jsonata', expression: "{ 'n': data.n, 'sentAt': data.sentAt, 'externalId': data.employee.id, 'firstName': data.employee.first, 'lastName': data.employee.last, 'email': $lowercase(data.employee.email), 'team': data.employee.department, 'hours': data.employee.hours }" } },
      { id: 'out', type: 'target.http', config: { url: targetUrl } },
    ],
    edges: [{ source: 'in', target: 'active' }, { source: 'active', target: 'map' }, { source: 'map', target: 'out' }],
  };
  const headers = { authorization: 'Bearer bench', 'content-type': 'application/json' };
  await fetch(`${base}/api/v1/flows`, { method: 'POST', headers, body: JSON.stringify(flow) });
  const d = await fetch(`${base}/api/v1/flows/bench/deploy`, { method: 'POST', headers });
  if (d.status !== 200) throw new Error(`deploy failed: ${await d.text()}`);
  return { proc, url: `${base}/webhooks/bench` };
}

function eventBody(n: string): string {
  return JSON.stringify({
    n,
    sentAt: performance.now(),
    status: 'active',
    employee: { id: `E-${n}`, first: 'Anna', last: 'Jones', email: 'Anna.Jones@Example.com', department: 'Engineering', hours: 40, location: 'Berlin', costCenter: '4711' },
  });
}

async function load(url: string, offered: number | 'max', seconds: number, tag: string): Promise<{ accepted: number; rejected: number }> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  let accepted = 0;
  let rejected = 0;
  let seq = 0;
  const send = async () => {
    const n = `${tag}-${seq++}`;
    try {
      const res = await pool.request({ path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body: eventBody(n) });
      await res.body.dump();
      if (res.statusCode === 202) accepted++;
      else rejected++;
    } catch {
      rejected++;
    }
  };
  const end = performance.now() + seconds * 1000;
  if (offered === 'max') {
    await Promise.all(Array.from({ length: MAX_CONCURRENCY }, async () => {
      while (performance.now() < end) await send();
    }));
  } else {
    // Open loop: requests leave on schedule whether or not earlier ones were answered.
    const inflight = new Set<Promise<void>>();
    const start = performance.now();
    let sent = 0;
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - start) / 1000) * offered);
      while (sent < due) {
        const p = send();
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        sent++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(inflight);
  }
  await pool.close();
  return { accepted, rejected };
}

/** The floor system makes its own load: as many jobs as its worker keeps up with, for `seconds`. */
async function floorLoad(proc: ChildProcess, seconds: number, tag: string): Promise<{ accepted: number; rejected: number }> {
  const answer = new Promise<{ produced: number }>((resolve) => proc.once('message', resolve));
  proc.send({ seconds, tag, origin: performance.timeOrigin });
  return { accepted: (await answer).produced, rejected: 0 };
}

/** CPU seconds per thread of a process (name → seconds), for the busiest threads. */
function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}#${tid}`, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the thread ended
    }
  }
  return out;
}

async function runOne(system: string, offered: number | 'max', redisUrl: string): Promise<Result> {
  const flush = new Redis(redisUrl);
  await flush.flushall();
  flush.disconnect();
  received.clear();
  duplicates = 0;
  const { proc, url } = await startSystem(system, redisUrl);
  const drive = (seconds: number, tag: string) => (system === 'floor' ? floorLoad(proc, seconds, tag) : load(url, offered, seconds, tag));
  // Warm up at the rate to be measured (JIT, connection pools, worker ramp-up), let the
  // backlog drain, then measure steady state. Both systems get the same warm-up.
  const warmed = await drive(WARMUP_SECONDS, `warm-${system}-${offered}`);
  const warmDeadline = performance.now() + DRAIN_MS;
  while (received.size < warmed.accepted && performance.now() < warmDeadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  received.clear();
  timeline.length = 0;
  duplicates = 0;
  const tag = `${system}-${offered}`;
  const cpu0 = processCpuSeconds(proc.pid!);
  const threads0 = threadCpuSeconds(proc.pid!);
  const rcpu0 = await redisCpuSeconds(redisUrl);
  const benchCpu0 = process.cpuUsage();
  if (process.env.BENCH_COMMANDSTATS) await resetCommandStats(redisUrl);
  const started = performance.now();
  const { accepted, rejected } = await drive(SECONDS, tag);
  const sendEnd = performance.now();
  const drainDeadline = sendEnd + DRAIN_MS;
  while (received.size < accepted && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 100));
  const deliveredEnd = received.size ? lastReceivedAt : sendEnd;
  const window = (performance.now() - started) / 1000;
  const systemCpu = (processCpuSeconds(proc.pid!) - cpu0) / window;
  const benchUse = process.cpuUsage(benchCpu0);
  const benchCpu = (benchUse.user + benchUse.system) / 1e6 / window;
  const threadUse = [...threadCpuSeconds(proc.pid!)].map(([n, v]) => [n, (v - (threads0.get(n) ?? 0)) / window] as const).filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]);
  if (process.env.BENCH_THREADS) console.log(`  threads: ${threadUse.map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')}`);
  const redisCpu = ((await redisCpuSeconds(redisUrl)) - rcpu0) / window;
  if (process.env.BENCH_STAGES && system.startsWith('flowbridge')) console.log(await stagesOf(url, tag, accepted));
  if (process.env.BENCH_COMMANDSTATS) console.log(await commandStatsPerEvent(redisUrl, received.size));
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  const lat = [...received.values()].sort((a, b) => a - b);
  if (process.env.BENCH_TIMELINE && timeline.length) {
    // Worst latency per 250 ms of send time: shows whether slow deliveries come in periodic bursts.
    const t0 = timeline[0]![0];
    const buckets = new Map<number, number>();
    for (const [at, l] of timeline) buckets.set(Math.floor((at - t0) / 250), Math.max(buckets.get(Math.floor((at - t0) / 250)) ?? 0, l));
    console.log(`  worst per 250 ms: ${[...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => Math.round(v)).join(' ')}`);
    timeline.length = 0;
  }
  return {
    system,
    mode: system === 'floor' ? 'max (its own load)' : offered === 'max' ? `max (${MAX_CONCURRENCY} in flight)` : `${offered}/s`,
    offered,
    seconds: SECONDS,
    accepted,
    rejected,
    acceptedPerSec: Math.round(accepted / ((sendEnd - started) / 1000)),
    deliveredPerSec: Math.round(received.size / ((deliveredEnd - started) / 1000)),
    p50: Math.round(percentile(lat, 50)),
    p99: Math.round(percentile(lat, 99)),
    max: Math.round(lat[lat.length - 1] ?? NaN),
    systemCpu: Number(systemCpu.toFixed(2)),
    redisCpu: Number(redisCpu.toFixed(2)),
    benchCpu: Number(benchCpu.toFixed(2)),
    lost: Math.max(0, accepted - received.size),
    duplicates,
  };
}

/**
 * Where an event's time went, from the traces of 300 events spread over the run (BENCH_STAGES=1):
 * accepted → routed (bus log read, match, transform, job added), routed → attempt start
 * (queue wait), the attempt (request to the receiver). Percentiles in ms.
 */
async function stagesOf(webhookUrl: string, tag: string, accepted: number): Promise<string> {
  const base = new URL(webhookUrl).origin;
  const stages: Record<string, number[]> = { routed: [], queued: [], attempt: [] };
  for (let i = 0; i < 300; i++) {
    const n = `${tag}-${Math.floor((i / 300) * accepted)}`;
    const res = await fetch(`${base}/api/v1/buses/default/events/${encodeURIComponent(n)}`, { headers: { authorization: 'Bearer bench' } });
    if (res.status !== 200) continue;
    const e = (await res.json()) as { acceptedAt: string; trace: { kind: string; at: string; durationMs?: number }[] };
    const routed = e.trace.find((t) => t.kind === 'routed');
    const attempt = e.trace.find((t) => t.kind === 'attempt');
    if (!routed || !attempt) continue;
    stages.routed!.push(Date.parse(routed.at) - Date.parse(e.acceptedAt));
    stages.queued!.push(Date.parse(attempt.at) - Date.parse(routed.at));
    stages.attempt!.push(attempt.durationMs ?? 0);
  }
  return `  stages (ms, p50/p90/p99): ${Object.entries(stages).map(([k, v]) => {
    const sorted = v.sort((a, b) => a - b);
    return `${k} ${[50, 90, 99].map((p) => percentile(sorted, p)).join('/')}`;
  }).join(', ')}`;
}

/** CPU microseconds per delivered event, from cores used over the run. */
function perEvent(cores: number, r: Result): number {
  return Math.round((cores * 1e6) / Math.max(1, r.deliveredPerSec));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-redis-'));
const redis = await startEmbeddedRedis({ dataDir: dir, appendOnly: process.env.BENCH_AOF !== "no", supervise: false });
console.log(`durable Redis (AOF everysec) at ${redis.url}; ${SECONDS} s per run; machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
const results: Result[] = [];
try {
  for (const system of SYSTEMS) {
    for (const offered of system === 'floor' ? ['max' as const] : [...RATES, 'max' as const]) {
      const r = await runOne(system, offered, redis.url);
      results.push(r);
      console.log(`${r.system.padEnd(10)} ${r.mode.padEnd(20)} accepted/s ${String(r.acceptedPerSec).padStart(6)}  delivered/s ${String(r.deliveredPerSec).padStart(6)}  p50 ${String(r.p50).padStart(5)} ms  p99 ${String(r.p99).padStart(6)} ms  lost ${r.lost}  rejected ${r.rejected}  dup ${r.duplicates}  cpu ${r.systemCpu} redis-cpu ${r.redisCpu} bench-cpu ${r.benchCpu}  µs/event: system ${perEvent(r.systemCpu, r)} redis ${perEvent(r.redisCpu, r)} bench ${perEvent(r.benchCpu, r)}`);
    }
  }
} finally {
  await redis.stop();
  receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
const fbMax = results.find((r) => r.system === 'flowbridge' && r.offered === 'max');
const refMax = results.find((r) => r.system === 'reference' && r.offered === 'max');
if (fbMax && refMax) console.log(`ratio at maximum (delivered/s): flowbridge ${fbMax.deliveredPerSec} / reference ${refMax.deliveredPerSec} = ${(fbMax.deliveredPerSec / refMax.deliveredPerSec).toFixed(2)}×`);
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/e2e.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
process.exit(0);
