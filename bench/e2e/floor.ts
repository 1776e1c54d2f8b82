// The cost floor of the delivery design the issue asks for, with nothing in front of it: one
// BullMQ job per delivery (jobs added in bulk by the process itself, no HTTP ingest, no
// persistence of an event, no routing), a BullMQ worker that POSTs each job to the receiver.
// Whatever flowbridge does in front of this (accept a webhook, persist it, route it), its CPU
// per event cannot be lower than this floor's. Driven by run.ts (`--systems floor`) over IPC:
// told {seconds, tag, origin}, it produces as fast as its worker keeps up and answers {produced}.
//   REDIS_URL=… TARGET_URL=… node bin/run-ts.js bench/e2e/floor.ts
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';

const redisUrl = process.env.REDIS_URL!;
const targetUrl = process.env.TARGET_URL!;
const queue = new Queue('floor', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }) });
const agent = new Agent({ connections: 256 });
// Jobs added but not finished; the producer keeps this below BACKLOG so it never outruns the worker by much.
const BACKLOG = 2000;
let open = 0;

const worker = new Worker(
  'floor',
  async (job) => {
    const data = job.data as { body: { n: string; sentAt: number } };
    const res = await request(targetUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(data.body) });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}`);
  },
  { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), concurrency: 200 },
);
worker.on('error', () => undefined);
worker.on('completed', () => open--);

/** `origin`: the driver's performance.timeOrigin, so `sentAt` is on the receiver's clock. */
async function produce(seconds: number, tag: string, origin: number): Promise<number> {
  const shift = performance.timeOrigin - origin;
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    if (open >= BACKLOG) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const batch = Array.from({ length: 50 }, () => ({ name: 'event', data: { body: { n: `${tag}-${n++}`, sentAt: performance.now() + shift, status: 'active' } }, opts: { removeOnComplete: true } }));
    open += batch.length;
    await queue.addBulk(batch);
  }
  return n;
}

process.on('message', (m: { seconds: number; tag: string; origin: number }) => {
  void produce(m.seconds, m.tag, m.origin).then((produced) => process.send!({ produced }));
});
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
console.log('floor ready');
