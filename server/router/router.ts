import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import { runRule, type PreparedRule } from '../../flows/rule-runtime.ts';
import { deadLetterAlertJob } from '../delivery/dead-letter-alert.ts';
import { deliveryJobId, idempotencyKeyFor, targetIdOf, type DeliveryJobData } from '../delivery/delivery-job.ts';
import { deliveryJobOptions, type DeliveryJob, type DeliveryQueues } from '../delivery/delivery-queues.ts';
import { orderingOf, orderingPosition, type OrderingStore } from '../delivery/ordering.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import { ROUTER_GROUP, type Keys } from '../redis/keys.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import type { DeadLetter, DeadLetterStore } from '../store/dead-letter-store.ts';
import { defineTraceCommands, parseEntry, pushTracesArgs, type BusLogEntry, type EventStore, type TraceEntry } from '../store/event-store.ts';

export interface RouterOptions {
  batchSize: number;
  blockMs: number;
  /** An entry read by a consumer that has not acknowledged it for this long is taken over. */
  claimIdleMs: number;
  retentionSeconds: number;
}

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = { batchSize: 500, blockMs: 1000, claimIdleMs: 30_000, retentionSeconds: 7 * 86_400 };

/** How many recent events each flow's list keeps. */
export const RECENT_EVENTS_PER_FLOW = 1000;

type StreamRead = [key: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Reads every bus log through a consumer group, matches events against the deployed rules,
 * runs their steps, and enqueues one delivery job per (event, rule). An entry is
 * acknowledged only after its jobs are in Redis; entries of a consumer that died are taken
 * over after `claimIdleMs` and routed again, where deterministic job ids and the trace
 * keep deliveries from being made twice.
 */
export class Router {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly consumer = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private buses: string[] = [];
  private lastClaim = 0;
  private lastBusRefresh = 0;

  constructor(
    private readonly blocking: Redis,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly registry: RuleRegistry,
    private readonly queues: DeliveryQueues,
    private readonly ordering: OrderingStore,
    private readonly events: EventStore,
    private readonly deadLetters: DeadLetterStore,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly options: RouterOptions = DEFAULT_ROUTER_OPTIONS,
  ) {
    defineTraceCommands(redis);
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    await this.refreshBuses(true);
    await this.registry.refresh(true);
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand is routed and acknowledged. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async refreshBuses(force = false): Promise<void> {
    if (!force && Date.now() - this.lastBusRefresh < 2000) return;
    this.lastBusRefresh = Date.now();
    const names = await this.redis.hkeys(this.keys.buses);
    for (const bus of names) {
      if (this.buses.includes(bus)) continue;
      await ensureRouterGroup(this.redis, this.keys, bus);
    }
    this.buses = names.sort();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.refreshBuses();
        if (Date.now() - this.lastClaim > Math.min(this.options.claimIdleMs, 10_000)) {
          this.lastClaim = Date.now();
          await this.claimAbandoned();
        }
        // Routing without a flow this process cannot compile would acknowledge events that flow
        // should have received; leave them to processes that can (or to this one once it can).
        if (this.registry.brokenFlows.size) {
          await this.registry.refresh();
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        if (!this.buses.length) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const streams = this.buses.map((b) => this.keys.busLog(b));
        const read = (await this.blocking.xreadgroup(
          'GROUP', ROUTER_GROUP, this.consumer, 'COUNT', this.options.batchSize, 'BLOCK', this.options.blockMs,
          'STREAMS', ...streams, ...streams.map(() => '>'),
        )) as StreamRead;
        if (!read) continue;
        // Reload rules after reading: an event accepted after a deploy answered is routed by the new rules.
        await this.registry.refresh();
        if (this.registry.brokenFlows.size) continue; // unacknowledged: taken over by a healthy router
        for (const [key, rows] of read) {
          const bus = this.buses[streams.indexOf(key)]!;
          await this.routeBatch(bus, rows, false);
        }
      } catch (err) {
        if (!this.running) break;
        this.log.error({ err: (err as Error).message }, 'router loop error; retrying in 1 s');
        this.metrics.inc('flowbridge_router_errors_total');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Takes over entries other consumers read but never acknowledged (they crashed). */
  private async claimAbandoned(): Promise<void> {
    for (const bus of this.buses) {
      let cursor = '0-0';
      do {
        const [next, rows] = (await this.redis.xautoclaim(this.keys.busLog(bus), ROUTER_GROUP, this.consumer, this.options.claimIdleMs, cursor, 'COUNT', 200)) as [string, [string, string[]][]];
        cursor = next;
        const live = rows.filter((r) => r && r[1]);
        if (live.length) {
          this.log.warn({ bus, entries: live.length }, 'routing entries left unacknowledged by a stopped router');
          await this.registry.refresh();
          await this.routeBatch(bus, live, true);
        }
      } while (cursor !== '0-0' && this.running);
    }
  }

  /** Routes a batch of bus log rows and acknowledges them. `recovering`: rows may have been routed before. */
  async routeBatch(bus: string, rows: [string, string[]][], recovering: boolean): Promise<void> {
    const jobs: DeliveryJob[] = [];
    const traces = new Map<string, TraceEntry[]>();
    const deadLetters: DeadLetter[] = [];
    const ackIds: string[] = [];
    const flowEvents = new Map<string, string[]>();

    for (const [streamId, fields] of rows) {
      ackIds.push(streamId);
      const entry = parseEntry(bus, streamId, fields);
      if (!entry) {
        this.log.error({ bus, streamId }, 'unreadable bus log entry; skipped (it stays in the log)');
        this.metrics.inc('flowbridge_router_unreadable_entries_total');
        continue;
      }
      const rules = this.registry.match(bus, entry.event, entry.meta.via);
      // Every routed event gets a trace entry, so "no rule matched" is visible, not a silence.
      const entries: TraceEntry[] = [{ t: Date.now(), kind: 'routed', rules: rules.length }];
      traces.set(streamId, entries);
      // The flows this event reached (matched, or sent to their webhook), for per-flow event lists.
      const flows = new Set(rules.map((r) => r.def.flowId));
      const viaSource = entry.meta.via.startsWith('webhook:') ? this.registry.source(entry.meta.via.slice(8)) : undefined;
      if (viaSource) flows.add(viaSource.flowId);
      for (const f of flows) {
        const list = flowEvents.get(f) ?? [];
        list.push(`${bus}|${streamId}`);
        flowEvents.set(f, list);
      }
      if (!rules.length) continue;
      const done = recovering ? await this.deliveriesAlreadyStarted(entry) : new Set<string>();
      for (const rule of rules) {
        const jobId = deliveryJobId(bus, streamId, rule.def.id);
        if (done.has(jobId)) continue;
        await this.routeOne(entry, rule, jobId, jobs, entries, deadLetters);
      }
    }

    // Ordered deliveries join their key's list, in log order; only a key's head gets a job now.
    const unordered: DeliveryJob[] = [];
    const heads: DeliveryJob[] = [];
    // Known targets first, so the ordering sweep finds their lists whatever happens next.
    for (const j of jobs) if (j.data.ordering) await this.queues.ensureTarget(j.data);
    const positions = await Promise.all(jobs.map(async (j) => (j.data.ordering ? await this.ordering.enqueue(j.data.targetId!, j.data.ordering.keyHash, j.opts.jobId!, j.data, orderingPosition(j.data.streamId)) : undefined)));
    jobs.forEach((j, i) => {
      const position = positions[i];
      if (position === undefined) unordered.push(j);
      else if (position === 0) heads.push(j);
      const matched = traces.get(j.data.streamId)?.find((t) => t.kind === 'matched' && t.deliveryId === j.opts.jobId);
      if (matched && position !== undefined) matched.ordering = { key: j.data.ordering!.key, waitingBefore: Math.max(0, position) };
    });
    if (unordered.length) await this.queues.addBulk(unordered);
    const multi = this.redis.multi();
    for (const dl of deadLetters) this.deadLetters.queuePut(multi, dl);
    const traceArgs = pushTracesArgs(this.keys, bus, traces, this.options.retentionSeconds);
    if (traceArgs) multi.fbPushTraces(...traceArgs);
    for (const [flowId, refs] of flowEvents) {
      multi.lpush(this.keys.flowRecentEvents(flowId), ...refs);
      multi.ltrim(this.keys.flowRecentEvents(flowId), 0, RECENT_EVENTS_PER_FLOW - 1);
    }
    multi.xack(this.keys.busLog(bus), ROUTER_GROUP, ...ackIds);
    await multi.exec();
    // Heads get their jobs once the batch is acknowledged: a head waits for earlier log entries
    // to be routed, and its own batch is one of them. Listed and marked pending, a head whose
    // job a crash kept from being added here is added by the ordering sweep.
    if (heads.length) {
      await this.queues.addBulk(heads);
      const clear = this.redis.multi();
      for (const h of heads) clear.zrem(this.keys.orderingPending(h.data.targetId!), `${h.data.ordering!.keyHash} ${h.opts.jobId!}`);
      await clear.exec();
    }
    this.metrics.inc('flowbridge_events_routed_total', {}, rows.length);
    this.metrics.inc('flowbridge_deliveries_enqueued_total', {}, jobs.length);
  }

  private async routeOne(
    entry: BusLogEntry,
    rule: PreparedRule,
    jobId: string,
    jobs: DeliveryJob[],
    trace: TraceEntry[],
    deadLetters: DeadLetter[],
  ): Promise<void> {
    const def = rule.def;
    const now = Date.now();
    const base = { ruleId: def.id, flowId: def.flowId };
    const data: DeliveryJobData = {
      bus: entry.bus,
      streamId: entry.streamId,
      event: entry.event,
      acceptedAt: entry.meta.at,
      ruleId: def.id,
      ruleName: def.name,
      flowId: def.flowId,
      flowVersion: def.flowVersion,
      target: def.target,
      delivery: def.delivery,
      body: entry.event,
      output: 'json',
      idempotencyKey: idempotencyKeyFor(entry.bus, entry.event, def.id),
      redrive: 0,
      targetId: targetIdOf(def.flowId, def.target.nodeId),
      ordering: orderingOf(def.delivery.orderingKey, entry.event),
    };
    try {
      const outcome = await runRule(rule, entry.event, { ruleName: def.name, flowId: def.flowId, ingestionTime: new Date(entry.meta.at).toISOString() }, { leadMatched: true });
      if (outcome.kind === 'filtered') {
        trace.push({ t: now, kind: 'filtered', ...base, nodeId: outcome.nodeId });
        return;
      }
      data.body = outcome.body;
      data.output = outcome.output;
      data.transformed = outcome.body !== entry.event;
    } catch (err) {
      const fe = err instanceof FlowbridgeError ? err : new FlowbridgeError('ERR_TRANSFORM_RENDER', String(err));
      const dl: DeadLetter = {
        id: jobId,
        createdAt: new Date(now).toISOString(),
        reason: 'transform-error',
        lastError: { kind: 'permanent', code: fe.code, message: fe.message },
        attempts: [],
        targetId: data.targetId,
        delivery: data,
      };
      deadLetters.push(dl);
      const alert = deadLetterAlertJob(dl);
      if (alert) jobs.push(alert);
      trace.push({ t: now, kind: 'transform-error', ...base, deliveryId: jobId, error: fe.message, code: fe.code });
      this.metrics.inc('flowbridge_dead_letters_total', { reason: 'transform-error' });
      return;
    }
    jobs.push({ data, opts: deliveryJobOptions(jobId, def.delivery.maxAttempts) });
    trace.push({ t: now, kind: 'matched', ...base, deliveryId: jobId, target: def.target.name });
  }

  /** Deliveries of this event that already made an attempt or were dead-lettered: not to be enqueued again. */
  private async deliveriesAlreadyStarted(entry: BusLogEntry): Promise<Set<string>> {
    const trace = await this.events.trace(entry.bus, entry.streamId);
    return new Set(trace.filter((t) => t.deliveryId && (t.kind === 'attempt' || t.kind === 'dead-lettered' || t.kind === 'transform-error')).map((t) => t.deliveryId!));
  }
}

/** Creates the router's consumer group on a bus log (from its start, so no event is skipped). */
export async function ensureRouterGroup(redis: Redis, keys: Keys, bus: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.busLog(bus), ROUTER_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}
