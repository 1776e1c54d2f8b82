import type { Worker } from 'bullmq';
import type { CompiledFlow } from '../../flows/flow.compiler.ts';
import type { DeadLetterRetention } from '../store/dead-letter-store.ts';
import { alertTargetId } from './dead-letter-alert.ts';
import { createDeliveryProcessor, startTargetWorker, type DeliveryProcessorDeps, type DeliveryWorkerOptions } from './deliver.worker.ts';
import { targetIdOf, type DeliveryJobData } from './delivery-job.ts';
import { deliveryJobOptions } from './delivery-queues.ts';

export interface DeliveryPoolOptions extends DeliveryWorkerOptions {
  defaultRetention: DeadLetterRetention;
  /** How often the deploy generation is checked (new targets get a worker at once). */
  deployCheckMs?: number;
  /** How often undeployed targets with jobs, ordering crash gaps and idle workers are looked at. */
  scanMs?: number;
  /** How often dead letter retention is applied. */
  retentionMs?: number;
}

// A BullMQ worker fetches its next job one round trip at a time when its queue keeps running
// dry (each fetch waits for the one before); two workers on a target's queue fetch side by
// side, which cut the queue wait at 2,000 deliveries/s from 24 to 7 ms at p50 (bench/README.md).
const FETCHERS_PER_TARGET = 2;

/** How many BullMQ workers a target gets, and the concurrency of each. */
function fetchersFor(concurrency: number): { count: number; each: number } {
  const count = concurrency >= 8 ? FETCHERS_PER_TARGET : 1;
  return { count, each: Math.ceil(concurrency / count) };
}

interface Running {
  workers: Worker<DeliveryJobData>[];
  concurrency: number;
  deployed: boolean;
  idleSince: number | undefined;
}

/**
 * The delivery workers of one process: one BullMQ worker per target, started when a flow
 * with the target is deployed (or when an undeployed target still has jobs, after a
 * redrive or an undeploy), stopped when its target is gone and its queue is empty. Also
 * runs the upkeep: the ordering sweep (heads whose job a crash kept from being added) and
 * dead letter retention.
 */
export class DeliveryPool {
  private readonly workers = new Map<string, Running>();
  private readonly abort = new AbortController();
  private readonly processor: ReturnType<typeof createDeliveryProcessor>;
  private timers: NodeJS.Timeout[] = [];
  private generation = -1;
  private running = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: DeliveryProcessorDeps,
    private readonly options: DeliveryPoolOptions,
  ) {
    this.processor = createDeliveryProcessor(deps, this.abort.signal, () => !this.running);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Targets with a worker in this process. */
  get targetIds(): string[] {
    return [...this.workers.keys()];
  }

  async start(): Promise<void> {
    this.running = true;
    await this.checkDeploys();
    await this.scan();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        this.serial(fn);
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.deployCheckMs ?? 500, () => this.checkDeploys());
    every(this.options.scanMs ?? 5000, () => this.scan());
    every(this.options.retentionMs ?? 60_000, () => this.enforceRetention());
  }

  /** Upkeep runs one task at a time; a failing task is logged and tried again on its next tick. */
  private serial(fn: () => Promise<unknown>): void {
    this.busy = this.busy.then(async () => {
      if (!this.running) return;
      try {
        await fn();
      } catch (err) {
        this.deps.log.warn({ err: (err as Error).message }, 'delivery upkeep failed; trying again later');
      }
    });
  }

  private ensureWorker(targetId: string, concurrency: number, deployed: boolean): void {
    if (!this.running) return;
    const have = this.workers.get(targetId);
    if (have) {
      have.deployed = deployed;
      if (have.concurrency !== concurrency) {
        const each = Math.ceil(concurrency / have.workers.length);
        for (const w of have.workers) w.concurrency = each;
        have.concurrency = concurrency;
      }
      return;
    }
    const { count, each } = fetchersFor(concurrency);
    const workers = Array.from({ length: count }, () => startTargetWorker(targetId, this.processor, this.deps.keys, { ...this.options, concurrency: each }, this.deps.log));
    this.workers.set(targetId, { workers, concurrency, deployed, idleSince: undefined });
    this.deps.log.debug({ targetId, concurrency }, 'delivery worker started');
  }

  /** Starts a worker for every target of every deployed flow, once per deploy generation. */
  private async checkDeploys(): Promise<void> {
    const { redis, keys } = this.deps;
    const gen = Number((await redis.get(keys.deployGeneration)) ?? 0);
    if (gen === this.generation) return;
    const all = await redis.hgetall(keys.deployed);
    const deployed = new Set<string>();
    for (const json of Object.values(all)) {
      const flow = JSON.parse(json) as CompiledFlow;
      for (const rule of flow.rules) {
        const id = targetIdOf(rule.flowId, rule.target.nodeId);
        deployed.add(id);
        this.ensureWorker(id, rule.delivery.rateLimit?.maxInFlight ?? this.options.concurrency, true);
        const alert = rule.delivery.deadLetterAlert;
        if (alert) {
          const aid = alertTargetId(rule.flowId, alert);
          deployed.add(aid);
          this.ensureWorker(aid, this.options.concurrency, true);
        }
      }
    }
    for (const [id, r] of this.workers) if (!deployed.has(id)) r.deployed = false;
    this.generation = gen;
  }

  /**
   * Workers for undeployed targets that still have jobs; stops those idle for a while;
   * adds the jobs of ordering heads a crash left without one.
   */
  private async scan(): Promise<void> {
    const targets = await this.deps.queues.targets();
    const now = Date.now();
    for (const t of targets) {
      if (!this.running) return;
      const running = this.workers.get(t.id);
      if (running?.deployed) {
        if (t.ordered) await this.sweepOrdering(t.id);
        continue;
      }
      const counts = await this.deps.queues.queue(t.id).getJobCounts('wait', 'delayed', 'active', 'prioritized', 'paused');
      const pending = Object.values(counts).reduce((a, b) => a + b, 0);
      if (t.ordered) await this.sweepOrdering(t.id);
      if (pending > 0) {
        this.ensureWorker(t.id, t.maxInFlight ?? this.options.concurrency, false);
        this.workers.get(t.id)!.idleSince = undefined;
      } else if (running) {
        running.idleSince ??= now;
        if (now - running.idleSince > 30_000) {
          this.workers.delete(t.id);
          await Promise.all(running.workers.map((w) => w.close()));
          this.deps.log.debug({ targetId: t.id }, 'delivery worker of an undeployed target stopped (queue empty)');
        }
      }
    }
  }

  private async sweepOrdering(targetId: string): Promise<void> {
    const added = await this.deps.ordering.sweep(targetId, 5000, async (id, data) => {
      await this.deps.queues.addBulk([{ data, opts: deliveryJobOptions(id, data.delivery.maxAttempts) }]);
    });
    if (added) this.deps.log.warn({ targetId, added }, 'ordering: added the jobs of deliveries whose turn came while their process stopped');
  }

  private async enforceRetention(): Promise<void> {
    const { redis, keys, deadLetters } = this.deps;
    const buses = await redis.hkeys(keys.buses);
    const own = await deadLetters.retentions();
    for (const bus of buses) {
      const removed = await deadLetters.enforceRetention(bus, own[bus] ?? this.options.defaultRetention);
      if (removed) this.deps.log.info({ bus, removed }, 'dead letters past their retention removed');
    }
  }

  /**
   * Stops taking new work and lets in-flight deliveries finish within `graceMs`; past it,
   * aborts them (their jobs are retried by another worker once their locks lapse).
   */
  async close(graceMs: number): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    const workers = [...this.workers.values()].flatMap((r) => r.workers);
    this.workers.clear();
    const closing = Promise.all(workers.map((w) => w.close()));
    const timedOut = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      this.deps.log.warn({ graceMs }, 'in-flight deliveries did not finish within the grace period; aborting them');
      this.abort.abort();
      await Promise.all(workers.map((w) => w.close(true)));
    }
    await this.busy;
  }
}
