import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import { runRule } from '../../flows/rule-runtime.ts';
import type { DeliveryJobData } from '../delivery/delivery-job.ts';
import type { Logger } from '../logging.ts';
import type { Keys } from '../redis/keys.ts';
import { deliveryJobOptions } from '../router/router.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import type { DeadLetter, DeadLetterFilter, DeadLetterPage, DeadLetterStore } from '../store/dead-letter-store.ts';
import { pushTrace } from '../store/event-store.ts';

export interface RedriveResult {
  deadLetterId: string;
  deliveryId: string;
  /** Whether the rule's current deployment was used (target or transform fixed since). */
  usedCurrentRule: boolean;
}

/** Dead letters: inspect, redrive (same idempotency key), delete. */
export class DeadLetterService {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly queue: Queue<DeliveryJobData>,
    private readonly registry: RuleRegistry,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
    private readonly retentionSeconds: number,
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

  /**
   * Sends the delivery again as a new job with fresh attempts and the same idempotency key.
   * When the rule is still deployed, its current target and steps are used, so a fixed
   * flow takes effect; a transform that still fails answers 422 and keeps the dead letter.
   */
  async redrive(id: string): Promise<RedriveResult> {
    const dl = await this.get(id);
    await this.registry.refresh();
    const rule = this.registry.rule(dl.delivery.ruleId);
    const data: DeliveryJobData = { ...dl.delivery, redrive: dl.delivery.redrive + 1 };
    if (rule) {
      const outcome = await runRule(rule, data.event, { ruleName: rule.def.name, flowId: rule.def.flowId, ingestionTime: new Date(data.acceptedAt).toISOString() }, { leadMatched: true });
      if (outcome.kind === 'filtered') {
        throw new FlowbridgeError('ERR_CONFLICT', `The rule's current filter "${outcome.nodeId}" no longer lets this event through; delete the dead letter instead`);
      }
      Object.assign(data, { body: outcome.body, output: outcome.output, target: rule.def.target, delivery: rule.def.delivery, flowVersion: rule.def.flowVersion, ruleName: rule.def.name });
    }
    // A redriven delivery is judged by its redrive time, not by the original event's age.
    data.acceptedAt = Date.now();
    const deliveryId = `${dl.id.replace(/\.r\d+$/, '')}.r${data.redrive}`;
    await this.queue.add(data.target.type, data, deliveryJobOptions(deliveryId, data.delivery.maxAttempts));
    const multi = this.redis.multi();
    pushTrace(multi, this.keys, data.bus, data.streamId, [{ t: Date.now(), kind: 'redriven', ruleId: data.ruleId, flowId: data.flowId, deliveryId, deadLetterId: dl.id }], this.retentionSeconds);
    multi.del(this.keys.deadLetter(dl.id));
    multi.zrem(this.keys.deadLetterIndex, dl.id);
    await multi.exec();
    this.log.info({ deadLetterId: dl.id, deliveryId, usedCurrentRule: Boolean(rule) }, 'dead letter redriven');
    return { deadLetterId: dl.id, deliveryId, usedCurrentRule: Boolean(rule) };
  }
}
