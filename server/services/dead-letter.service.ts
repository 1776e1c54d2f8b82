import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import { runRule } from '../../flows/rule-runtime.ts';
import type { DeliveryJobData } from '../delivery/delivery-job.ts';
import type { DeliveryQueues } from '../delivery/delivery-queues.ts';
import { orderingPosition, type OrderingStore } from '../delivery/ordering.ts';
import type { Logger } from '../logging.ts';
import type { Keys } from '../redis/keys.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import type { DeadLetter, DeadLetterFilter, DeadLetterPage, DeadLetterRetention, DeadLetterStore } from '../store/dead-letter-store.ts';
import { pushTrace } from '../store/event-store.ts';

export interface RedriveResult {
  deadLetterId: string;
  deliveryId: string;
  /** Whether the rule's current deployment was used (target or transform fixed since). */
  usedCurrentRule: boolean;
  /** Whether the body was the one given with the redrive, not a render of the event. */
  editedBody: boolean;
}

/** A replacement for what the target receives, given with a redrive. */
export interface RedriveEdit {
  body: unknown;
  /** `text` sends a string body as text; default `json`. */
  output?: 'json' | 'text';
}

export interface BulkRedrive {
  id: string;
  status: 'running' | 'done' | 'failed';
  filter: DeadLetterFilter;
  total: number;
  redriven: number;
  failed: number;
  /** Dead letters that were gone by the time their turn came (deleted or redriven elsewhere). */
  skipped: number;
  /** The first failures, with why. */
  errors: { deadLetterId: string; code: string; message: string }[];
  startedAt: string;
  finishedAt?: string;
}

const BULK_ERRORS_KEPT = 20;
/** A bulk redrive whose runner has not reported for this long is taken over by another API process. */
const BULK_STALE_MS = 30_000;

/** Dead letters: inspect, redrive (same idempotency key, one or in bulk), delete, retention. */
export class DeadLetterService {
  private readonly runningBulk = new Set<string>();

  constructor(
    private readonly store: DeadLetterStore,
    private readonly queues: DeliveryQueues,
    private readonly ordering: OrderingStore,
    private readonly registry: RuleRegistry,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
    private readonly retentionSeconds: number,
    private readonly defaultRetention: DeadLetterRetention,
  ) {}

  async list(filter: DeadLetterFilter, limit: number, cursor?: string): Promise<DeadLetterPage> {
    return await this.store.list(filter, limit, cursor);
  }

  async get(id: string): Promise<DeadLetter> {
    const dl = await this.store.get(id);
    if (!dl) throw new FlowbridgeError('ERR_DEAD_LETTER_NOT_FOUND', `No dead letter has the id "${id}"`);
    return dl;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.remove(id))) throw new FlowbridgeError('ERR_DEAD_LETTER_NOT_FOUND', `No dead letter has the id "${id}"`);
  }

  /** Deletes every dead letter the filter selects; returns how many. */
  async removeByFilter(filter: DeadLetterFilter): Promise<number> {
    const ids = await this.store.ids(filter);
    const removed = await this.store.removeMany(ids);
    this.log.info({ filter, removed }, 'dead letters deleted by filter');
    return removed;
  }

  /**
   * Sends the delivery again as a new job with fresh attempts and the same idempotency key.
   * When the rule is still deployed, its current target and steps are used, so a fixed
   * flow takes effect; a transform that still fails answers 422 and keeps the dead letter.
   * With `edit`, the given body is sent as it is (no transform runs). An ordered delivery
   * joins the end of its key's queue.
   */
  async redrive(id: string, edit?: RedriveEdit): Promise<RedriveResult> {
    const dl = await this.get(id);
    await this.registry.refresh();
    const rule = this.registry.rule(dl.delivery.ruleId);
    if (!rule && !edit && dl.reason === 'transform-error') {
      // This delivery never got its transform; sending the raw event could leak what the transform was meant to drop.
      throw new FlowbridgeError('ERR_DELIVERY_RULE_GONE', 'The rule of this dead letter is no longer deployed and its transform never ran; redeploy the flow, or redrive with an edited body');
    }
    const data: DeliveryJobData = { ...dl.delivery, redrive: dl.delivery.redrive + 1 };
    if (rule && !dl.delivery.alert) {
      Object.assign(data, { target: rule.def.target, delivery: rule.def.delivery, flowVersion: rule.def.flowVersion, ruleName: rule.def.name });
      if (!edit) {
        // Every filter of the current rule is applied, the first one too: nothing matched it yet.
        const outcome = await runRule(rule, data.event, { ruleName: rule.def.name, flowId: rule.def.flowId, ingestionTime: new Date(data.acceptedAt).toISOString() });
        if (outcome.kind === 'filtered') {
          throw new FlowbridgeError('ERR_CONFLICT', `The rule's current filter "${outcome.nodeId}" no longer lets this event through; delete the dead letter instead`);
        }
        Object.assign(data, { body: outcome.body, output: outcome.output, transformed: outcome.body !== data.event });
      }
    }
    if (edit) {
      if (edit.output === 'text' && typeof edit.body !== 'string') throw new FlowbridgeError('ERR_VALIDATION', 'A text body must be a string', [{ path: 'body' }]);
      Object.assign(data, { body: edit.body, output: edit.output ?? 'json', transformed: true });
    }
    // A redriven delivery is judged by its redrive time, not by the original event's age.
    data.acceptedAt = Date.now();
    const deliveryId = `${dl.id.replace(/\.r\d+$/, '')}.r${data.redrive}`;
    const enqueued = { t: Date.now(), kind: 'redriven' as const, ruleId: data.ruleId, flowId: data.flowId, deliveryId, deadLetterId: dl.id, editedBody: Boolean(edit) };
    if (data.ordering) {
      const position = await this.orderingEnqueue(data, deliveryId);
      Object.assign(enqueued, { ordering: { key: data.ordering.key, waitingBefore: Math.max(0, position) } });
    } else {
      await this.queues.add(data, deliveryId);
    }
    const multi = this.redis.multi();
    pushTrace(multi, this.keys, data.bus, data.streamId, [enqueued], this.retentionSeconds);
    this.store.queueRemove(multi, dl);
    await multi.exec();
    this.log.info({ deadLetterId: dl.id, deliveryId, usedCurrentRule: Boolean(rule), editedBody: Boolean(edit) }, 'dead letter redriven');
    return { deadLetterId: dl.id, deliveryId, usedCurrentRule: Boolean(rule), editedBody: Boolean(edit) };
  }

  private async orderingEnqueue(data: DeliveryJobData, deliveryId: string): Promise<number> {
    const ordering = this.ordering;
    const targetId = await this.queues.ensureTarget(data);
    // A redrive joins the end of its key's queue.
    const position = await ordering.enqueue(targetId, data.ordering!.keyHash, deliveryId, data, orderingPosition(undefined));
    if (position === 0) {
      await this.queues.add(data, deliveryId);
      await ordering.clearPending(targetId, data.ordering!.keyHash, deliveryId);
    }
    return position;
  }

  /** Starts redriving every dead letter the filter selects; progress is read with `bulkStatus`. */
  async startBulkRedrive(filter: DeadLetterFilter): Promise<BulkRedrive> {
    const id = `rd-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const ids = await this.store.ids(filter);
    const bulk: BulkRedrive = { id, status: 'running', filter, total: ids.length, redriven: 0, failed: 0, skipped: 0, errors: [], startedAt: new Date().toISOString() };
    const key = this.keys.redrive(id);
    const multi = this.redis.multi();
    multi.hset(key, { status: bulk.status, filter: JSON.stringify(filter), total: ids.length, redriven: 0, failed: 0, skipped: 0, errors: '[]', startedAt: bulk.startedAt, heartbeat: Date.now() });
    // The ids to do, oldest first: a runner that dies leaves the rest for another to finish.
    for (let i = 0; i < ids.length; i += 1000) multi.rpush(`${key}:todo`, ...ids.slice(i, i + 1000));
    multi.zadd(this.keys.redrives, Date.now(), id);
    multi.expire(key, 7 * 86_400);
    await multi.exec();
    this.runBulk(id);
    return bulk;
  }

  private runBulk(id: string): void {
    if (this.runningBulk.has(id)) return;
    this.runningBulk.add(id);
    void this.processBulk(id)
      .catch(async (err: unknown) => {
        this.log.error({ redriveId: id, err: (err as Error).message }, 'bulk redrive stopped; another API process will resume it');
      })
      .finally(() => this.runningBulk.delete(id));
  }

  private async processBulk(id: string): Promise<void> {
    const key = this.keys.redrive(id);
    const todo = `${key}:todo`;
    for (;;) {
      const next = await this.redis.lindex(todo, 0);
      if (next === null) break;
      let field: 'redriven' | 'failed' | 'skipped' = 'redriven';
      try {
        await this.redrive(next);
      } catch (err) {
        const fe = err instanceof FlowbridgeError ? err : new FlowbridgeError('ERR_INTERNAL', (err as Error).message);
        if (fe.code === 'ERR_DEAD_LETTER_NOT_FOUND') field = 'skipped';
        else {
          field = 'failed';
          const errors = JSON.parse((await this.redis.hget(key, 'errors')) ?? '[]') as BulkRedrive['errors'];
          if (errors.length < BULK_ERRORS_KEPT) await this.redis.hset(key, 'errors', JSON.stringify([...errors, { deadLetterId: next, code: fe.code, message: fe.message }]));
        }
        if (fe.code === 'ERR_INTERNAL' || fe.code === 'ERR_UNAVAILABLE') throw err;
      }
      await this.redis.multi().lpop(todo).hincrby(key, field, 1).hset(key, 'heartbeat', Date.now()).exec();
    }
    await this.redis.hset(key, 'status', 'done', 'finishedAt', new Date().toISOString());
    this.log.info({ redriveId: id }, 'bulk redrive done');
  }

  /** Resumes bulk redrives whose runner stopped (its process died); called periodically by API processes. */
  async resumeStaleBulkRedrives(): Promise<void> {
    const ids = await this.redis.zrevrange(this.keys.redrives, 0, 50);
    for (const id of ids) {
      if (this.runningBulk.has(id)) continue;
      const [status, beat] = await this.redis.hmget(this.keys.redrive(id), 'status', 'heartbeat');
      if (status !== 'running' || Date.now() - Number(beat ?? 0) < BULK_STALE_MS) continue;
      // Claim it: only one process wins the heartbeat it read.
      const claimed = await this.redis.eval(
        `if redis.call('HGET', KEYS[1], 'heartbeat') == ARGV[1] then redis.call('HSET', KEYS[1], 'heartbeat', ARGV[2]) return 1 end return 0`,
        1, this.keys.redrive(id), beat ?? '', String(Date.now()),
      );
      if (claimed === 1) {
        this.log.warn({ redriveId: id }, 'resuming a bulk redrive whose process stopped');
        this.runBulk(id);
      }
    }
  }

  async bulkStatus(id: string): Promise<BulkRedrive> {
    const h = await this.redis.hgetall(this.keys.redrive(id));
    if (!h.status) throw new FlowbridgeError('ERR_REDRIVE_NOT_FOUND', `No bulk redrive has the id "${id}"`);
    return {
      id,
      status: h.status as BulkRedrive['status'],
      filter: JSON.parse(h.filter ?? '{}') as DeadLetterFilter,
      total: Number(h.total ?? 0),
      redriven: Number(h.redriven ?? 0),
      failed: Number(h.failed ?? 0),
      skipped: Number(h.skipped ?? 0),
      errors: JSON.parse(h.errors ?? '[]') as BulkRedrive['errors'],
      startedAt: h.startedAt ?? '',
      finishedAt: h.finishedAt,
    };
  }

  async listBulkRedrives(): Promise<BulkRedrive[]> {
    const ids = await this.redis.zrevrange(this.keys.redrives, 0, 99);
    const out: BulkRedrive[] = [];
    for (const id of ids) {
      try {
        out.push(await this.bulkStatus(id));
      } catch {
        // Expired: its record is gone; drop it from the list.
        await this.redis.zrem(this.keys.redrives, id);
      }
    }
    return out;
  }

  async retention(): Promise<{ default: DeadLetterRetention; buses: Record<string, DeadLetterRetention> }> {
    return { default: this.defaultRetention, buses: await this.store.retentions() };
  }

  /** Sets a bus's retention (fields not given keep the default); `undefined` reverts to the default. */
  async setRetention(bus: string, input: Partial<DeadLetterRetention> | undefined): Promise<DeadLetterRetention> {
    if (!(await this.redis.hexists(this.keys.buses, bus))) throw new FlowbridgeError('ERR_NOT_FOUND', `No bus is named "${bus}"`);
    if (!input) {
      await this.store.setRetention(bus, undefined);
      return this.defaultRetention;
    }
    const retention = { ...this.defaultRetention, ...input };
    await this.store.setRetention(bus, retention);
    await this.store.enforceRetention(bus, retention);
    return retention;
  }
}
