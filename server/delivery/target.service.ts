import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { CompiledFlow } from '../../flows/flow.compiler.ts';
import type { Logger } from '../logging.ts';
import type { Keys } from '../redis/keys.ts';
import { alertTargetId } from './dead-letter-alert.ts';
import { targetIdOf } from './delivery-job.ts';
import type { DeliveryQueues, TargetInfo } from './delivery-queues.ts';
import type { OrderingStore } from './ordering.ts';
import type { TargetState, TargetStates } from './target-state.ts';

/** A target as the API shows it: what it is, whether it is deployed, its state and its backlog. */
export interface TargetView extends TargetInfo {
  deployed: boolean;
  state: TargetState;
  queue: { waiting: number; delayed: number; active: number; failed: number };
  /** Ordered deliveries waiting for their key's turn (heads included). */
  orderedWaiting: number;
}

/** Targets: health (auth), breaker, disabled state, backlog; enable a disabled one, close a breaker. */
export class TargetService {
  constructor(
    private readonly queues: DeliveryQueues,
    private readonly states: TargetStates,
    private readonly ordering: OrderingStore,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
  ) {}

  private async deployedIds(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const json of Object.values(await this.redis.hgetall(this.keys.deployed))) {
      for (const rule of (JSON.parse(json) as CompiledFlow).rules) {
        out.add(targetIdOf(rule.flowId, rule.target.nodeId));
        if (rule.delivery.deadLetterAlert) out.add(alertTargetId(rule.flowId, rule.delivery.deadLetterAlert));
      }
    }
    return out;
  }

  private async view(info: TargetInfo, deployed: Set<string>): Promise<TargetView> {
    const [state, counts, orderedWaiting] = await Promise.all([
      this.states.read(info.id),
      this.queues.queue(info.id).getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed'),
      info.ordered ? this.ordering.waiting(info.id) : Promise.resolve(0),
    ]);
    return {
      ...info,
      deployed: deployed.has(info.id),
      state,
      queue: { waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0), delayed: counts.delayed ?? 0, active: counts.active ?? 0, failed: counts.failed ?? 0 },
      orderedWaiting,
    };
  }

  async list(filter: { flowId?: string } = {}): Promise<TargetView[]> {
    const deployed = await this.deployedIds();
    const infos = (await this.queues.targets()).filter((t) => !filter.flowId || t.flowId === filter.flowId).sort((a, b) => a.id.localeCompare(b.id));
    return await Promise.all(infos.map((t) => this.view(t, deployed)));
  }

  async get(id: string): Promise<TargetView> {
    const json = await this.redis.hget(this.keys.targets, id);
    if (!json) throw new FlowbridgeError('ERR_TARGET_NOT_FOUND', `No target has the id "${id}" (a target is known once a delivery was made to it)`);
    return await this.view(JSON.parse(json) as TargetInfo, await this.deployedIds());
  }

  /** Re-enables a target disabled by a 410; its new deliveries go out again. */
  async enable(id: string): Promise<TargetView> {
    await this.get(id);
    await this.states.enable(id);
    this.log.info({ targetId: id }, 'target enabled');
    return await this.get(id);
  }

  /** Closes the target's circuit breaker now. */
  async resetBreaker(id: string): Promise<TargetView> {
    await this.get(id);
    await this.states.resetBreaker(id);
    this.log.info({ targetId: id }, 'target circuit breaker reset');
    return await this.get(id);
  }
}
