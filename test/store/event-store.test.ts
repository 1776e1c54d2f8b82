// The event store's grouped writes on a real Redis: single appends of concurrent requests sent
// as one pipeline, each with its own result (duplicates found within the group too); a
// router batch's trace entries as one command (pushTracesArgs); attempts of concurrent
// deliveries grouped per event-loop turn (TraceAppender) — every entry in its own event's
// trace, in the order written, with the retention as expiry.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys } from '../../server/redis/keys.ts';
import { EventStore, TraceAppender, defineTraceCommands, pushTracesArgs, type StoredEvent, type TraceEntry } from '../../server/store/event-store.ts';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix('traces');
const keys = new Keys(prefix);
let redis: Redis;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  defineTraceCommands(redis);
});
afterAll(async () => {
  redis.disconnect();
  await deletePrefix(prefix);
});

const read = async (bus: string, streamId: string) => (await redis.lrange(keys.trace(bus, streamId), 0, -1)).map((j) => JSON.parse(j) as TraceEntry);
const entry = (kind: TraceEntry['kind'], n: number): TraceEntry => ({ t: n, kind, deliveryId: `d-${n}` });

describe('appends', () => {
  const event = (id: string, source = '/s'): StoredEvent => ({ specversion: '1.0', id, source, type: 't', data: { id } });

  it('sends the appends of one turn together, each persisted with its own stream id, a repeated (source, id) a duplicate', async () => {
    const store = new EventStore(redis, keys, { retentionSeconds: 600, dedupeWindowSeconds: 60, maxLogLength: 100_000 });
    const meta = { via: 'events', at: Date.now() };
    const results = await Promise.all([store.append('g', event('a'), meta), store.append('g', event('b'), meta), store.append('g', event('a'), meta), store.append('g', event('a', '/other'), meta)]);
    expect(results.map((r) => r.duplicate)).toEqual([false, false, true, false]);
    expect(results[2]!.streamId).toBe(results[0]!.streamId);
    expect(new Set(results.map((r) => r.streamId)).size).toBe(3);
    const log = await redis.xrange(keys.busLog('g'), '-', '+');
    expect(log.map(([id]) => id)).toEqual([results[0]!.streamId, results[1]!.streamId, results[3]!.streamId]);
    expect((await store.get('g', results[1]!.streamId))?.event.id).toBe('b');
  });

  it('rejects every append of a turn when Redis cannot be reached, and stores nothing', async () => {
    const offline = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    offline.on('error', () => undefined);
    const store = new EventStore(offline, keys, { retentionSeconds: 600, dedupeWindowSeconds: 60, maxLogLength: 100_000 });
    const meta = { via: 'events', at: Date.now() };
    const settled = await Promise.allSettled([store.append('h', event('x'), meta), store.append('h', event('y'), meta)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await redis.exists(keys.busLog('h'))).toBe(0);
    offline.disconnect();
  });
});

describe('trace writes', () => {
  it('writes a batch of traces in one command, each with its entries in order and the retention as expiry', async () => {
    const traces = new Map<string, TraceEntry[]>([
      ['1-0', [entry('routed', 1), entry('matched', 2)]],
      ['1-1', [entry('routed', 3)]],
      ['1-2', []],
    ]);
    const multi = redis.multi();
    multi.fbPushTraces(...pushTracesArgs(keys, 'b1', traces, 600)!);
    const results = await multi.exec();
    expect(results).toHaveLength(1);
    expect(await read('b1', '1-0')).toEqual([entry('routed', 1), entry('matched', 2)]);
    expect(await read('b1', '1-1')).toEqual([entry('routed', 3)]);
    expect(await redis.exists(keys.trace('b1', '1-2'))).toBe(0);
    const ttl = await redis.ttl(keys.trace('b1', '1-1'));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('writes a trace of more entries than Lua can unpack at once (an event matched by thousands of rules)', async () => {
    const many = Array.from({ length: 9000 }, (_, i) => entry('matched', i));
    const multi = redis.multi();
    multi.fbPushTraces(...pushTracesArgs(keys, 'b1', new Map([['2-0', many], ['2-1', [entry('routed', 1)]]]), 600)!);
    const results = (await multi.exec())!;
    expect(results[0]![0]).toBeNull();
    expect(await redis.llen(keys.trace('b1', '2-0'))).toBe(9000);
    expect((await read('b1', '2-0')).at(-1)).toEqual(entry('matched', 8999));
    expect(await read('b1', '2-1')).toEqual([entry('routed', 1)]);
  });

  it('groups appends made in the same turn, across buses and events, and resolves each once written', async () => {
    const appender = new TraceAppender(redis, keys, 300);
    const writes = [
      appender.append('b2', '5-0', entry('attempt', 1)),
      appender.append('b3', '5-0', entry('attempt', 2)),
      appender.append('b2', '5-0', entry('attempt', 3)),
      appender.append('b2', '5-1', entry('attempt', 4)),
    ];
    await Promise.all(writes);
    expect(await read('b2', '5-0')).toEqual([entry('attempt', 1), entry('attempt', 3)]);
    expect(await read('b3', '5-0')).toEqual([entry('attempt', 2)]);
    expect(await read('b2', '5-1')).toEqual([entry('attempt', 4)]);
    expect(await redis.ttl(keys.trace('b3', '5-0'))).toBeGreaterThan(290);
    // A later turn appends behind what is there.
    await appender.append('b2', '5-0', entry('delivered', 5));
    expect((await read('b2', '5-0')).map((e) => e.t)).toEqual([1, 3, 5]);
  });

  it('rejects the appends of a turn whose write fails', async () => {
    const broken = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    broken.on('error', () => undefined);
    const appender = new TraceAppender(broken, keys, 300);
    await expect(appender.append('b4', '1-0', entry('attempt', 1))).rejects.toThrow();
    broken.disconnect();
  });
});
