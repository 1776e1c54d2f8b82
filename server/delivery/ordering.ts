import { hash } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { compileJsonPath, type CompiledJsonPath } from '../../flows/transforms/json-path.ts';
import type { Keys } from '../redis/keys.ts';
import type { DeliveryJobData } from './delivery-job.ts';

// Ordered delivery, per target and ordering key, on Redis:
//
//   zset  {ord:T}:q:<hash(key)>   "<seq> <delivery id>" of one key, scored by the event's bus log
//                                  time: the lowest is the head, "in delivery"
//   hash  {ord:T}:data            delivery id → job data of every listed delivery
//   zset  {ord:T}:pending         "<hash> <id>" whose turn came; removed once its job is in the queue
//
// Only the head of a key has a BullMQ job, so one key is delivered one at a time, and a
// head that keeps failing holds back its key only. Deliveries are sorted by their bus log
// entry id, not by when they were listed: routers share the log through a consumer group
// and may list a later event first. So before a head is sent, the worker checks that no
// earlier log entry is still being routed (the group's oldest pending entry), and only
// then that it is still the head; an earlier event listed late becomes the head instead.
// When the head is done (delivered or dead-lettered) it leaves and marks the next one
// pending in the same script; the worker then adds the next job and clears the mark. A
// process that dies in that gap leaves the mark behind, and a sweep adds the job (job ids
// are deterministic, so adding twice is harmless). All keys of one target share a hash
// tag, so the scripts work on Redis Cluster.

// Members sort by score (the entry's milliseconds), then by this zero-padded sequence.
const SEQ_WIDTH = 10;

const ENQUEUE_SCRIPT = `
local member = ARGV[6] .. ' ' .. ARGV[1]
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[5], member)
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if head == member then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4] .. ' ' .. ARGV[1])
  return 0
end
return redis.call('ZRANK', KEYS[1], member) or -1
`;

const ADVANCE_SCRIPT = `
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if not head or string.sub(head, ${SEQ_WIDTH + 2}) ~= ARGV[1] then return {} end
redis.call('ZREM', KEYS[1], head)
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[3] .. ' ' .. ARGV[1])
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if not nxt then return {} end
local id = string.sub(nxt, ${SEQ_WIDTH + 2})
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3] .. ' ' .. id)
return {id, redis.call('HGET', KEYS[2], id) or ''}
`;

/** Where a delivery sorts within its key: the bus log entry id (`<ms>-<seq>`), or now for a redrive. */
export function orderingPosition(streamId: string | undefined): { score: number; seq: string } {
  const [ms, seq] = (streamId ?? '').split('-');
  if (streamId && ms && seq) return { score: Number(ms), seq: seq.padStart(SEQ_WIDTH, '0') };
  return { score: Date.now(), seq: '0'.repeat(SEQ_WIDTH) };
}

/** -1, 0 or 1 as bus log entry id `a` is before, equal to or after `b`. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return Math.sign(am - bm || as - bs);
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    fbOrderEnqueue(list: string, data: string, pending: string, id: string, json: string, now: number, keyHash: string, score: number, seq: string): Result<number, Context>;
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
  return hash('sha1', value, 'base64url').slice(0, 20);
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
   * Lists a delivery under its key (once, however often it is routed), sorted by
   * `position`. Returns its rank: 0 means it is the head, and its job must be added (then
   * `clearPending`).
   */
  async enqueue(targetId: string, keyHash: string, id: string, data: DeliveryJobData, position: { score: number; seq: string }): Promise<number> {
    return await this.redis.fbOrderEnqueue(...this.keysOf(targetId, keyHash), id, JSON.stringify(data), Date.now(), keyHash, position.score, position.seq);
  }

  /** Whether `id` is the delivery in turn for its key. */
  async isHead(targetId: string, keyHash: string, id: string): Promise<boolean> {
    const [head] = await this.redis.zrange(this.keys.orderingList(targetId, keyHash), 0, 0);
    return head !== undefined && head.slice(SEQ_WIDTH + 1) === id;
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
      const [head, json] = await Promise.all([this.isHead(targetId, keyHash, id), this.redis.hget(this.keys.orderingData(targetId), id)]);
      if (head && json) {
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
