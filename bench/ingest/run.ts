// Ingest benchmark: persisted events/s and latency of one flowbridge `api` process on a
// durable (AOF) Redis, for structured and binary CloudEvents of about 1 KB and for a
// GitHub-signed webhook. Load comes from wrk (Debian package `wrk`) on the same machine;
// every request carries a unique event id, so each 202 is a new event in the bus log.
//   node bin/run-ts.js bench/ingest/run.ts [--seconds 15] [--connections 64]
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../server/redis/embedded-redis.ts';
import { processCpuSeconds, waitForLine } from '../support/measure.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SECONDS = Number(flag('seconds', '15'));
const CONNECTIONS = Number(flag('connections', '64'));
const root = path.resolve(import.meta.dirname, '../..');
const SECRET = 'bench-github-secret';

if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) {
  console.error('This benchmark drives load with wrk: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk (macOS).');
  process.exit(2);
}

const pad = 'x'.repeat(760);
const data = JSON.stringify({ orderId: 'O-1', customer: { id: 'C-9', name: 'Anna Jones', email: 'anna@example.com' }, lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }], note: pad });

// wrk scripts: a counter per thread (thread id + sequence) makes every event id unique.
let runSeq = 0;
const luaCommon = () => `
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", "${Date.now()}-${runSeq++}-" .. threads) end
`;
const structuredLua = () => `${luaCommon()}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/cloudevents+json"
request = function()
  counter = counter + 1
  local body = '{"specversion":"1.0","id":"' .. tid .. '-' .. counter .. '","source":"/bench","type":"order.placed","time":"2026-11-27T10:00:00Z","datacontenttype":"application/json","data":${data.replace(/"/g, '\\"')}}'
  return wrk.format(nil, nil, nil, body)
end
`;
const binaryLua = () => `${luaCommon()}
wrk.method = "POST"
request = function()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json", ["ce-specversion"] = "1.0", ["ce-id"] = tid .. "-" .. counter, ["ce-source"] = "/bench", ["ce-type"] = "order.placed", ["ce-time"] = "2026-11-27T10:00:00Z" }
  return wrk.format(nil, nil, headers, '${data.replace(/'/g, "\\'")}')
end
`;
const signature = `sha256=${createHmac('sha256', SECRET).update(data).digest('hex')}`;
const webhookLua = () => `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-Hub-Signature-256"] = "${signature}"
wrk.body = '${data.replace(/'/g, "\\'")}'
`;
const reportLua = `
done = function(summary, latency, requests)
  local codes = summary.errors.status
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\\n", summary.requests, summary.duration, codes, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ingest-bench-'));
const redis = await startEmbeddedRedis({ dataDir: dir, appendOnly: true, supervise: false });
const env = { ...process.env, REDIS_URL: redis.url, FLOWBRIDGE_ADMIN_TOKEN: 'bench', FLOWBRIDGE_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), FLOWBRIDGE_LOG_LEVEL: 'warn' };
const api = spawn(process.execPath, [path.join(root, 'bin/flowbridge.js'), 'api', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
const base = (await waitForLine(api, /flowbridge listening on (http:\/\/\S+)/))[1]!;
const headers = { authorization: 'Bearer bench', 'content-type': 'application/json' };
await fetch(`${base}/api/v1/flows`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    id: 'hook',
    name: 'Signed webhook',
    nodes: [
      { id: 'in', type: 'source.webhook', config: { sourceId: 'github', type: { header: 'X-GitHub-Event' }, auth: [{ kind: 'github', secrets: [SECRET] }] } },
      { id: 'out', type: 'target.http', config: { url: 'https://example.com/never-called' } },
    ],
    edges: [{ source: 'in', target: 'out' }],
  }),
});
const deployed = await fetch(`${base}/api/v1/flows/hook/deploy`, { method: 'POST', headers });
if (deployed.status !== 200) throw new Error(await deployed.text());

const cases = [
  { name: 'structured 1 KB', url: `${base}/events/default`, lua: structuredLua },
  { name: 'binary 1 KB', url: `${base}/events/default`, lua: binaryLua },
  { name: 'signed webhook 1 KB', url: `${base}/webhooks/github`, lua: webhookLua },
];
const check = new Redis(redis.url);
const results: Record<string, unknown>[] = [];
console.log(`durable Redis (AOF everysec); ${SECONDS} s per case, ${CONNECTIONS} connections; ${os.cpus().length} cores; load ${os.loadavg()[0]!.toFixed(2)}`);
for (const c of cases) {
  const script = path.join(dir, 'case.lua');
  // Warm up, then measure (a fresh script each time: new event ids).
  fs.writeFileSync(script, c.lua() + reportLua);
  spawnSync('wrk', ['-t1', '-c16', '-d2s', '-s', script, c.url]);
  fs.writeFileSync(script, c.lua() + reportLua);
  const before = await check.xlen('fb:{bus:default}:log');
  const cpu0 = processCpuSeconds(api.pid!);
  const out = spawnSync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, c.url], { encoding: 'utf8' }).stdout;
  const cpu = (processCpuSeconds(api.pid!) - cpu0) / SECONDS;
  const after = await check.xlen('fb:{bus:default}:log');
  const m = /RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`wrk said:\n${out}`);
  const [, requests, durationUs, non2xx, p50, p99, max] = m;
  const seconds = Number(durationUs) / 1e6;
  const r = { case: c.name, requestsPerSec: Math.round(Number(requests) / seconds), persistedPerSec: Math.round((after - before) / seconds), non2xx: Number(non2xx), p50ms: Number(p50), p99ms: Number(p99), maxMs: Number(max), apiCpu: Number(cpu.toFixed(2)) };
  results.push(r);
  console.log(`${c.name.padEnd(20)} requests/s ${String(r.requestsPerSec).padStart(6)}  persisted/s ${String(r.persistedPerSec).padStart(6)}  p50 ${r.p50ms} ms  p99 ${r.p99ms} ms  max ${r.maxMs} ms  non-2xx ${r.non2xx}  api cpu ${r.apiCpu}`);
}
check.disconnect();
api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));
await redis.stop();
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/ingest.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
process.exit(0);
