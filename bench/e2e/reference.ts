// The naive reference pipeline the end-to-end benchmark compares against: Express with
// express.json(), one BullMQ queue.add per request, a BullMQ worker that POSTs each job to
// the receiver. Same Redis, same machine, same receiver.
//   REDIS_URL=… TARGET_URL=… PORT=… node bin/run-ts.js bench/e2e/reference.ts
import express from 'express';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';

const redisUrl = process.env.REDIS_URL!;
const targetUrl = process.env.TARGET_URL!;
const port = Number(process.env.PORT ?? 0);
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue('reference', { connection });
const agent = new Agent({ connections: 256 });

const worker = new Worker(
  'reference',
  async (job) => {
    const data = job.data as { body: { n: string; sentAt: number; status: string } };
    const res = await request(targetUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: data.body.n, sentAt: data.body.sentAt }) });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}`);
  },
  { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), concurrency: 200 },
);
worker.on('error', () => undefined);

const app = express();
app.use(express.json());
app.post('/webhooks/:id', async (req, res) => {
  await queue.add('event', { body: req.body as unknown });
  res.status(202).json({ ok: true });
});
const server = app.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`reference listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void worker.close().then(() => process.exit(0));
});
