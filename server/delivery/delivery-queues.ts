import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConnectorRegistry } from '../runtime/connector-registry.ts';
import { deliveryQueueName, type Keys } from '../redis/keys.ts';
import { targetIdOf, type DeliveryJobData } from './delivery-job.ts';

/** What is known of a target, kept in Redis so any process can run and show its queue. */
export interface TargetInfo {
  id: string;
  flowId: string;
  nodeId: string;
  type: string;
  name: string;
  /** The policy's pacing, as last applied to the queue. */
  limit: { max: number; durationMs: number } | undefined;
  maxInFlight: number | undefined;
  ordered: boolean;
  /** A dead-letter alert target (not a node of the flow). */
  alert: boolean;
  updatedAt: string;
}

export interface DeliveryJob {
  data: DeliveryJobData;
  opts: JobsOptions;
}

/** BullMQ options of a new delivery job. */
export function deliveryJobOptions(jobId: string, maxAttempts: number): JobsOptions {
  return {
    jobId,
    attempts: maxAttempts,
    backoff: { type: 'custom' },
    removeOnComplete: true,
    // The dead letter is the record of a failed delivery; the failed job is kept briefly for debugging.
    removeOnFail: { age: 86_400, count: 10_000 },
  };
}

/** The target id of a job (jobs made before per-target queues carry none). */
export function targetOfJob(d: DeliveryJobData): string {
  return d.targetId ?? targetIdOf(d.flowId, d.target.nodeId);
}

// Without a limit the queue still gets one this high: BullMQ honours a manual pause of a
// queue (`Queue.rateLimit`, used for Retry-After and an open breaker) only when a limit is set.
const UNLIMITED = { max: 1_000_000, durationMs: 1000 };

/** The stricter of the policy's requests per second and the connector's declared limit. */
export function paceOf(d: DeliveryJobData, connectors: ConnectorRegistry): { max: number; durationMs: number } | undefined {
  const candidates: { max: number; durationMs: number }[] = [];
  if (d.delivery.rateLimit?.perSecond) candidates.push({ max: d.delivery.rateLimit.perSecond, durationMs: 1000 });
  const declared = connectors.forNodeType(d.target.type)?.rateLimit?.(d.target.config as never);
  if (declared) candidates.push(declared);
  return candidates.sort((a, b) => a.max / a.durationMs - b.max / b.durationMs)[0];
}

/**
 * One BullMQ queue per target. Adding jobs registers the target (so every worker process
 * starts a worker for it) and applies its rate limit and in-flight cap to the queue,
 * where BullMQ enforces them across all workers.
 */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<DeliveryJobData>>();
  private readonly applied = new Map<string, string>();
  // BullMQ defines its scripts (dozens) on the connection its queues use, and ioredis copies
  // every script of a connection onto each pipeline made on it (≈ 50 µs a pipeline): the
  // queues get a connection of their own, so pipelines on `redis` stay cheap.
  private queueConnection: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly connectors: ConnectorRegistry,
  ) {}

  queue(targetId: string): Queue<DeliveryJobData> {
    let q = this.queues.get(targetId);
    if (!q) {
      if (!this.queueConnection) {
        this.queueConnection = this.redis.duplicate();
        this.queueConnection.on('error', () => undefined); // the shared connection's own listener reports outages
      }
      q = new Queue<DeliveryJobData>(deliveryQueueName(targetId), { connection: this.queueConnection, prefix: this.keys.prefix });
      this.queues.set(targetId, q);
    }
    return q;
  }

  /** Records the target and applies its pacing when this process has not yet done so for this policy. */
  async ensureTarget(d: DeliveryJobData): Promise<string> {
    const id = targetOfJob(d);
    const limit = paceOf(d, this.connectors);
    const maxInFlight = d.delivery.rateLimit?.maxInFlight;
    const info: Omit<TargetInfo, 'updatedAt'> = {
      id, flowId: d.flowId, nodeId: d.target.nodeId, type: d.target.type, name: d.target.name,
      limit, maxInFlight, ordered: Boolean(d.delivery.orderingKey), alert: Boolean(d.alert),
    };
    const fingerprint = JSON.stringify(info);
    if (this.applied.get(id) === fingerprint) return id;
    const q = this.queue(id);
    const pace = limit ?? UNLIMITED;
    await q.setGlobalRateLimit(pace.max, pace.durationMs);
    if (maxInFlight) await q.setGlobalConcurrency(maxInFlight);
    else await q.removeGlobalConcurrency();
    await this.redis.hset(this.keys.targets, id, JSON.stringify({ ...info, updatedAt: new Date().toISOString() }));
    this.applied.set(id, fingerprint);
    return id;
  }

  /** Adds jobs, each to its target's queue; a job id that exists already is left as it is. */
  async addBulk(jobs: DeliveryJob[]): Promise<void> {
    const byTarget = new Map<string, DeliveryJob[]>();
    for (const job of jobs) {
      const id = await this.ensureTarget(job.data);
      const list = byTarget.get(id) ?? [];
      list.push(job);
      byTarget.set(id, list);
    }
    await Promise.all([...byTarget].map(([id, list]) => this.queue(id).addBulk(list.map((j) => ({ name: j.data.target.type, data: j.data, opts: j.opts })))));
  }

  async add(data: DeliveryJobData, jobId: string): Promise<void> {
    await this.addBulk([{ data, opts: deliveryJobOptions(jobId, data.delivery.maxAttempts) }]);
  }

  /** Every target any process has registered. */
  async targets(): Promise<TargetInfo[]> {
    const all = await this.redis.hgetall(this.keys.targets);
    return Object.values(all).map((j) => JSON.parse(j) as TargetInfo);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    await this.queueConnection?.quit().catch(() => this.queueConnection?.disconnect());
    this.queueConnection = undefined;
  }
}
