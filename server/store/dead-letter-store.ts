import type { Redis } from 'ioredis';
import type { DeliveryAttempt, DeliveryJobData } from '../delivery/delivery-job.ts';
import type { Keys } from '../redis/keys.ts';

export type DeadLetterReason = 'attempts-exhausted' | 'permanent-failure' | 'transform-error' | 'event-too-old';

/** A delivery that could not be made, with everything needed to understand and redrive it. */
export interface DeadLetter {
  id: string;
  createdAt: string;
  reason: DeadLetterReason;
  lastError: { kind: string; message: string; status?: number; code?: string };
  attempts: DeliveryAttempt[];
  /** The delivery as the router made it; a redrive re-sends this (with the rule's current target when still deployed). */
  delivery: DeliveryJobData;
}

export interface DeadLetterFilter {
  flowId?: string;
  ruleId?: string;
  reason?: string;
  /** ISO time bounds on createdAt. */
  since?: string;
  until?: string;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
  total: number;
}

/** Dead letters in Redis: one JSON string each, plus a time-ordered index. */
export class DeadLetterStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Adds commands that store a dead letter to a pipeline or MULTI; idempotent for the same id. */
  queuePut(pipe: ReturnType<Redis['multi']>, dl: DeadLetter): void {
    pipe.set(this.keys.deadLetter(dl.id), JSON.stringify(dl));
    pipe.zadd(this.keys.deadLetterIndex, Date.parse(dl.createdAt), dl.id);
  }

  async put(dl: DeadLetter): Promise<void> {
    const multi = this.redis.multi();
    this.queuePut(multi, dl);
    await multi.exec();
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const json = await this.redis.get(this.keys.deadLetter(id));
    return json ? (JSON.parse(json) as DeadLetter) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const [[, n]] = (await this.redis.multi().del(this.keys.deadLetter(id)).zrem(this.keys.deadLetterIndex, id).exec()) as [[unknown, number]];
    return n > 0;
  }

  /** Newest first, filtered; `cursor` is the offset of the next unfiltered scan position. */
  async list(filter: DeadLetterFilter, limit: number, cursor?: string): Promise<DeadLetterPage> {
    const total = await this.redis.zcard(this.keys.deadLetterIndex);
    const items: DeadLetter[] = [];
    let offset = cursor ? Number(cursor) : 0;
    const max = filter.until ? Date.parse(filter.until) : '+inf';
    const min = filter.since ? Date.parse(filter.since) : '-inf';
    const chunk = 200;
    while (items.length < limit) {
      const ids = await this.redis.zrevrangebyscore(this.keys.deadLetterIndex, max, min, 'LIMIT', offset, chunk);
      if (!ids.length) return { items, total };
      const rows = await this.redis.mget(ids.map((id) => this.keys.deadLetter(id)));
      for (let i = 0; i < rows.length; i++) {
        offset++;
        const row = rows[i];
        if (!row) continue;
        const dl = JSON.parse(row) as DeadLetter;
        if (filter.flowId && dl.delivery.flowId !== filter.flowId) continue;
        if (filter.ruleId && dl.delivery.ruleId !== filter.ruleId) continue;
        if (filter.reason && dl.reason !== filter.reason) continue;
        items.push(dl);
        if (items.length >= limit) return { items, nextCursor: String(offset), total };
      }
      if (ids.length < chunk) return { items, total };
    }
    return { items, nextCursor: String(offset), total };
  }
}
