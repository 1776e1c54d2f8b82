import type { Redis } from 'ioredis';
import type { DeliveryAttempt, DeliveryJobData } from '../delivery/delivery-job.ts';
import type { Keys } from '../redis/keys.ts';

export type DeadLetterReason = 'attempts-exhausted' | 'permanent-failure' | 'transform-error' | 'event-too-old' | 'target-disabled';

/** A delivery that could not be made, with everything needed to understand and redrive it. */
export interface DeadLetter {
  id: string;
  createdAt: string;
  /** Why delivery stopped. */
  reason: DeadLetterReason;
  /** The last failure: its class (`retryable | rate_limited | auth | permanent | config`), message, status, code. */
  lastError: { kind: string; message: string; status?: number; code?: string; reason?: string };
  /** Every attempt: time, status, duration, response excerpt, error class. */
  attempts: DeliveryAttempt[];
  /** The target (`flowId.nodeId`), for filters and the targets API. */
  targetId?: string;
  /** The delivery as the router made it; a redrive re-sends this (with the rule's current target when still deployed). */
  delivery: DeliveryJobData;
}

export interface DeadLetterFilter {
  flowId?: string;
  ruleId?: string;
  targetId?: string;
  bus?: string;
  /** The last error's class. */
  errorKind?: string;
  reason?: string;
  /** ISO time bounds on createdAt. */
  since?: string;
  until?: string;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
  /** Dead letters in the index the filter scans (before the other filters). */
  total: number;
}

export interface DeadLetterRetention {
  maxCount: number;
  maxAgeSeconds: number;
}

function matches(dl: DeadLetter, f: DeadLetterFilter): boolean {
  if (f.flowId && dl.delivery.flowId !== f.flowId) return false;
  if (f.ruleId && dl.delivery.ruleId !== f.ruleId) return false;
  if (f.targetId && dl.targetId !== f.targetId) return false;
  if (f.bus && dl.delivery.bus !== f.bus) return false;
  if (f.errorKind && dl.lastError.kind !== f.errorKind) return false;
  if (f.reason && dl.reason !== f.reason) return false;
  return true;
}

/**
 * Dead letters in Redis: one JSON string each, a time-ordered index of all, and one per
 * flow, target and bus (so filtered lists and per-bus retention do not scan everything).
 */
export class DeadLetterStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private indexesOf(dl: Pick<DeadLetter, 'targetId' | 'delivery'>): string[] {
    const out = [this.keys.deadLetterIndex, this.keys.deadLetterIndexBy('flow', dl.delivery.flowId), this.keys.deadLetterIndexBy('bus', dl.delivery.bus)];
    if (dl.targetId) out.push(this.keys.deadLetterIndexBy('target', dl.targetId));
    return out;
  }

  /** The narrowest index a filter can scan. */
  private indexFor(f: DeadLetterFilter): string {
    if (f.targetId) return this.keys.deadLetterIndexBy('target', f.targetId);
    if (f.flowId) return this.keys.deadLetterIndexBy('flow', f.flowId);
    if (f.bus) return this.keys.deadLetterIndexBy('bus', f.bus);
    return this.keys.deadLetterIndex;
  }

  /** Adds commands that store a dead letter to a pipeline or MULTI; idempotent for the same id. */
  queuePut(pipe: ReturnType<Redis['multi']>, dl: DeadLetter): void {
    pipe.set(this.keys.deadLetter(dl.id), JSON.stringify(dl));
    const score = Date.parse(dl.createdAt);
    for (const index of this.indexesOf(dl)) pipe.zadd(index, score, dl.id);
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

  /** Adds commands that remove a dead letter (and its index entries) to a pipeline or MULTI. */
  queueRemove(pipe: ReturnType<Redis['multi']>, dl: DeadLetter): void {
    pipe.del(this.keys.deadLetter(dl.id));
    for (const index of this.indexesOf(dl)) pipe.zrem(index, dl.id);
  }

  async remove(id: string): Promise<boolean> {
    const dl = await this.get(id);
    if (!dl) {
      // An index entry without its record: clear it anyway.
      await this.redis.zrem(this.keys.deadLetterIndex, id);
      return false;
    }
    const multi = this.redis.multi();
    this.queueRemove(multi, dl);
    await multi.exec();
    return true;
  }

  /** Removes the dead letters with these ids; returns how many existed. */
  async removeMany(ids: string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.redis.mget(chunk.map((id) => this.keys.deadLetter(id)));
      const multi = this.redis.multi();
      chunk.forEach((id, j) => {
        const row = rows[j];
        if (row) {
          this.queueRemove(multi, JSON.parse(row) as DeadLetter);
          removed++;
        } else multi.zrem(this.keys.deadLetterIndex, id);
      });
      await multi.exec();
    }
    return removed;
  }

  /** Newest first, filtered; `cursor` is the offset of the next scan position in the index. */
  async list(filter: DeadLetterFilter, limit: number, cursor?: string): Promise<DeadLetterPage> {
    const index = this.indexFor(filter);
    const total = await this.redis.zcard(index);
    const items: DeadLetter[] = [];
    let offset = cursor ? Number(cursor) || 0 : 0;
    const max = filter.until ? Date.parse(filter.until) : '+inf';
    const min = filter.since ? Date.parse(filter.since) : '-inf';
    const chunk = 200;
    for (;;) {
      const ids = await this.redis.zrevrangebyscore(index, max, min, 'LIMIT', offset, chunk);
      if (!ids.length) return { items, total };
      const rows = await this.redis.mget(ids.map((id) => this.keys.deadLetter(id)));
      for (const row of rows) {
        offset++;
        if (!row) continue;
        const dl = JSON.parse(row) as DeadLetter;
        if (!matches(dl, filter)) continue;
        items.push(dl);
        if (items.length >= limit) return { items, nextCursor: String(offset), total };
      }
      if (ids.length < chunk) return { items, total };
    }
  }

  /** The ids of every dead letter the filter selects, oldest first (for bulk redrive and delete). */
  async ids(filter: DeadLetterFilter): Promise<string[]> {
    const index = this.indexFor(filter);
    const max = filter.until ? Date.parse(filter.until) : '+inf';
    const min = filter.since ? Date.parse(filter.since) : '-inf';
    const all = await this.redis.zrangebyscore(index, min, max);
    const narrow = filter.ruleId || filter.errorKind || filter.reason || (filter.flowId && filter.targetId) || (filter.bus && (filter.flowId || filter.targetId));
    if (!narrow) return all;
    const out: string[] = [];
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      const rows = await this.redis.mget(chunk.map((id) => this.keys.deadLetter(id)));
      rows.forEach((row, j) => {
        if (row && matches(JSON.parse(row) as DeadLetter, filter)) out.push(chunk[j]!);
      });
    }
    return out;
  }

  async retention(bus: string): Promise<DeadLetterRetention | undefined> {
    const json = await this.redis.hget(this.keys.deadLetterRetention, bus);
    return json ? (JSON.parse(json) as DeadLetterRetention) : undefined;
  }

  async retentions(): Promise<Record<string, DeadLetterRetention>> {
    const all = await this.redis.hgetall(this.keys.deadLetterRetention);
    return Object.fromEntries(Object.entries(all).map(([bus, json]) => [bus, JSON.parse(json) as DeadLetterRetention]));
  }

  async setRetention(bus: string, retention: DeadLetterRetention | undefined): Promise<void> {
    if (retention) await this.redis.hset(this.keys.deadLetterRetention, bus, JSON.stringify(retention));
    else await this.redis.hdel(this.keys.deadLetterRetention, bus);
  }

  /** Applies a bus's retention: removes dead letters older than its age, then the oldest past its count. Returns how many went. */
  async enforceRetention(bus: string, retention: DeadLetterRetention, now: number = Date.now()): Promise<number> {
    const index = this.keys.deadLetterIndexBy('bus', bus);
    let removed = 0;
    for (;;) {
      const old = await this.redis.zrangebyscore(index, '-inf', now - retention.maxAgeSeconds * 1000, 'LIMIT', 0, 1000);
      if (!old.length) break;
      removed += await this.removeMany(old);
      // Entries without a record were only cleared from the global index; drop them here too.
      await this.redis.zrem(index, ...old);
    }
    for (;;) {
      const excess = (await this.redis.zcard(index)) - retention.maxCount;
      if (excess <= 0) break;
      const oldest = await this.redis.zrange(index, 0, Math.min(excess, 1000) - 1);
      removed += await this.removeMany(oldest);
      await this.redis.zrem(index, ...oldest);
    }
    return removed;
  }
}
