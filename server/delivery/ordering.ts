import { createHash } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { compileJsonPath, type CompiledJsonPath } from '../../flows/transforms/json-path.ts';
import type { Keys } from '../redis/keys.ts';
import type { DeliveryJobData } from './delivery-job.ts';

// Ordered delivery, per target and ordering key, on Redis:
//
//   list  {ord:T}:q:<hash(key)>   delivery ids of one key, oldest first; the first is "in delivery"
//   hash  {ord:T}:data            delivery id → job data of every listed delivery
//   zset  {ord:T}:pending         "<hash> <id>" whose turn came; removed once its job is in the queue
//
// Only the head of a list has a BullMQ job, so one key is delivered one at a time, in
// order, and a head that keeps failing holds back its key only. When the head is done
// (delivered or dead-lettered) it pops itself and marks the next one pending in the same
// script; the worker then adds the next job and clears the mark. A process that dies in
// that gap leaves the mark behind, and a sweep adds the job (job ids are deterministic,
// so adding twice is harmless). All keys of one target share a hash tag, so the scripts
// work on Redis Cluster.

const ENQUEUE_SCRIPT = `
local len = -1
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  len = redis.call('RPUSH', KEYS[1], ARGV[1])
end
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4] .. ' ' .. ARGV[1])
  return 0
end
if len > 0 then return len - 1 end
return -1
`;

const ADVANCE_SCRIPT = `
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return {} end
redis.call('LPOP', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[3] .. ' ' .. ARGV[1])
local nxt = redis.call('LINDEX', KEYS[1], 0)
if not nxt then return {} end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3] .. ' ' .. nxt)
return {nxt, redis.call('HGET', KEYS[2], nxt) or ''}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    fbOrderEnqueue(list: string, data: string, pending: string, id: string, json: string, now: number, keyHash: string): Result<number, Context>;
    fbOrderAdvance(list: string, data: string, pending: string, id: string, now: number, keyHash: string): Result<[string, string] | [], Context>;
  }
}

/** The value an ordering key is compared by: strings, numbers and booleans as text, objects as JSON; none when absent. */
export function orderingKeyValue(path: CompiledJsonPath, event: unknown): string | undefined {
  const v = path.select(event);
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A short hash of an ordering key value, for key names of bounded length. */
export function hashOrderingKey(value: string): string {
  return createHash('sha1').update(value).digest('base64url').slice(0, 20);
}

const compiledPaths = new Map<string, CompiledJsonPath>();

/** The ordering of one delivery: undefined when the policy names no key or the event has no value for it. */
export function orderingOf(orderingKey: string | undefined, event: unknown): DeliveryJobData['ordering'] {
  if (!orderingKey) return undefined;
  let path = compiledPaths.get(orderingKey);
  if (!path) {
    // Validated at deploy; compiled once per process.
    path = compileJsonPath(orderingKey);
    if (compiledPaths.size > 10_000) compiledPaths.clear();
    compiledPaths.set(orderingKey, path);
  }
  const key = orderingKeyValue(path, event);
  return key === undefined ? undefined : { key: key.slice(0, 200), keyHash: hashOrderingKey(key) };
}

/** Per-key FIFO lists of ordered deliveries. */
export class OrderingStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    redis.defineCommand('fbOrderEnqueue', { numberOfKeys: 3, lua: ENQUEUE_SCRIPT });
    redis.defineCommand('fbOrderAdvance', { numberOfKeys: 3, lua: ADVANCE_SCRIPT });
  }

  private keysOf(targetId: string, keyHash: string): [string, string, string] {
    return [this.keys.orderingList(targetId, keyHash), this.keys.orderingData(targetId), this.keys.orderingPending(targetId)];
  }

  /**
   * Appends a delivery to its key's list (once, however often it is routed). Returns its
   * position: 0 means it is the head, and its job must be added (then `clearPending`);
   * -1 means it was listed before and is not the head.
   */
  async enqueue(targetId: string, keyHash: string, id: string, data: DeliveryJobData): Promise<number> {
    return await this.redis.fbOrderEnqueue(...this.keysOf(targetId, keyHash), id, JSON.stringify(data), Date.now(), keyHash);
  }

  /** Whether `id` is the delivery in turn for its key. */
  async isHead(targetId: string, keyHash: string, id: string): Promise<boolean> {
    return (await this.redis.lindex(this.keys.orderingList(targetId, keyHash), 0)) === id;
  }

  /** Removes a finished head and returns the next delivery of its key, now pending, if any. */
  async advance(targetId: string, keyHash: string, id: string): Promise<{ id: string; data: DeliveryJobData } | undefined> {
    const r = await this.redis.fbOrderAdvance(...this.keysOf(targetId, keyHash), id, Date.now(), keyHash);
    if (r.length !== 2 || !r[1]) return undefined;
    return { id: r[0], data: JSON.parse(r[1]) as DeliveryJobData };
  }

  /** Clears the pending mark of a head whose job is now in the queue. */
  async clearPending(targetId: string, keyHash: string, id: string): Promise<void> {
    await this.redis.zrem(this.keys.orderingPending(targetId), `${keyHash} ${id}`);
  }

  /**
   * Finds heads marked pending for longer than `olderThanMs` (their process died before
   * adding the job) and hands each to `addJob`; clears marks of deliveries no longer in turn.
   */
  async sweep(targetId: string, olderThanMs: number, addJob: (id: string, data: DeliveryJobData) => Promise<void>): Promise<number> {
    const members = await this.redis.zrangebyscore(this.keys.orderingPending(targetId), '-inf', Date.now() - olderThanMs, 'LIMIT', 0, 500);
    let added = 0;
    for (const member of members) {
      const [keyHash, id] = member.split(' ') as [string, string];
      const [[, head], [, json]] = (await this.redis.multi().lindex(this.keys.orderingList(targetId, keyHash), 0).hget(this.keys.orderingData(targetId), id).exec()) as [[unknown, string | null], [unknown, string | null]];
      if (head === id && json) {
        await addJob(id, JSON.parse(json) as DeliveryJobData);
        added++;
      }
      await this.redis.zrem(this.keys.orderingPending(targetId), member);
    }
    return added;
  }

  /** How many ordered deliveries of the target wait (heads included). */
  async waiting(targetId: string): Promise<number> {
    return await this.redis.hlen(this.keys.orderingData(targetId));
  }
}
