// crypto.hash: the one-shot digest (Node ≥ 20.12), ≈ 2× faster than createHash for short input.
import { hash } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import type { Keys } from '../redis/keys.ts';

/** A CloudEvent in structured JSON form, exactly as accepted. */
export type StoredEvent = Record<string, unknown> & { id: string; source: string; type: string; specversion: string };

/** How the event came in, and when. Kept beside the event, never inside it. */
export interface EventMeta {
  /** `webhook:<sourceId>` or `events` (the CloudEvents endpoint). */
  via: string;
  /** Acceptance time, ms since epoch. */
  at: number;
}

export interface AppendResult {
  /** The bus log entry id: flowbridge's own id of the accepted event. */
  streamId: string;
  /** True when the same (source, id) was accepted within the dedupe window; nothing new was stored. */
  duplicate: boolean;
}

export interface BusLogEntry {
  bus: string;
  streamId: string;
  event: StoredEvent;
  meta: EventMeta;
}

export interface TraceEntry {
  /** ms since epoch */
  t: number;
  kind: 'routed' | 'matched' | 'filtered' | 'enqueued' | 'attempt' | 'delivered' | 'dead-lettered' | 'redriven' | 'transform-error';
  ruleId?: string;
  flowId?: string;
  deliveryId?: string;
  [more: string]: unknown;
}

// Atomic: dedupe check, append to the log, and the two lookup keys. Duplicates inside the
// window answer with the first entry's id and store nothing.
const APPEND_SCRIPT = `
local prev = redis.call('GET', KEYS[2])
local window = tonumber(ARGV[4])
if prev and window > 0 then
  local ms = tonumber(string.match(prev, '^(%d+)'))
  local now = redis.call('TIME')
  local nowms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  if ms and nowms - ms < window then return {prev, 1} end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[1], 'm', ARGV[2])
redis.call('SET', KEYS[2], id, 'EX', ARGV[3])
redis.call('SET', KEYS[3], id, 'EX', ARGV[3])
return {id, 0}
`;

// Many events' trace entries in one command (a router batch): KEYS are trace keys; ARGV[1] the
// TTL, then per key the number of its entries and the entries (pushed 1,000 at a time: Lua's
// unpack has a limit near 8,000 values).
const PUSH_TRACES_SCRIPT = `
local ttl = tonumber(ARGV[1])
local a = 2
for i = 1, #KEYS do
  local n = tonumber(ARGV[a])
  local first = a + 1
  local last = a + n
  while first <= last do
    local upto = math.min(first + 999, last)
    redis.call('RPUSH', KEYS[i], unpack(ARGV, first, upto))
    first = upto + 1
  end
  redis.call('EXPIRE', KEYS[i], ttl)
  a = a + n + 1
end
return #KEYS
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    fbAppendEvent(log: string, sidKey: string, cidKey: string, event: string, meta: string, retention: number, windowMs: number, maxLen: number): Result<[string, number], Context>;
    fbPushTraces(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

type AppendArgs = [log: string, sidKey: string, cidKey: string, event: string, meta: string, retention: number, windowMs: number, maxLen: number];

function sha(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, 32);
}

export interface EventStoreOptions {
  retentionSeconds: number;
  dedupeWindowSeconds: number;
  /** Approximate cap on the bus log length, whatever the retention. */
  maxLogLength: number;
}

/** The bus log: append (persist before acknowledge), look up, and keep traces. */
export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly options: EventStoreOptions,
  ) {
    redis.defineCommand('fbAppendEvent', { numberOfKeys: 3, lua: APPEND_SCRIPT });
  }

  private lookupKeys(bus: string, event: StoredEvent): [string, string] {
    return [this.keys.eventBySourceAndId(bus, sha(`${event.source}\u0000${event.id}`)), this.keys.eventById(bus, sha(event.id))];
  }

  /**
   * Appends events to a bus log atomically (all or none); resolves only once Redis has them.
   * `json` (the events already serialized) saves serializing twice; `dedupeWindowSeconds`
   * overrides the store's default for this bus.
   */
  async appendAll(bus: string, events: StoredEvent[], meta: EventMeta, options: { json?: string[]; dedupeWindowSeconds?: number } = {}): Promise<AppendResult[]> {
    if (events.length === 0) return [];
    const windowMs = (options.dedupeWindowSeconds ?? this.options.dedupeWindowSeconds) * 1000;
    const metaJson = JSON.stringify(meta);
    const args = (event: StoredEvent, i: number): AppendArgs => {
      const [sid, cid] = this.lookupKeys(bus, event);
      return [this.keys.busLog(bus), sid, cid, options.json?.[i] ?? JSON.stringify(event), metaJson, this.options.retentionSeconds, windowMs, this.options.maxLogLength];
    };
    if (events.length === 1) {
      const [streamId, dup] = await this.appendSoon(args(events[0]!, 0));
      return [{ streamId, duplicate: dup === 1 }];
    }
    const multi = this.redis.multi();
    events.forEach((event, i) => multi.fbAppendEvent(...args(event, i)));
    const results = (await multi.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      const [streamId, dup] = value as [string, number];
      return { streamId, duplicate: dup === 1 };
    });
  }

  private soon: { args: AppendArgs; done: (err: unknown, value?: [string, number]) => void }[] = [];

  /**
   * Single appends made in the same event-loop turn (concurrent requests) go to Redis as one
   * pipeline: one write and one read instead of one per request. Each is its own script call,
   * atomic on its own, and settles with its own result.
   */
  private appendSoon(args: AppendArgs): Promise<[string, number]> {
    return new Promise((resolve, reject) => {
      if (this.soon.push({ args, done: (err, value) => (err ? reject(err as Error) : resolve(value!)) }) === 1) setImmediate(() => this.flushSoon());
    });
  }

  private flushSoon(): void {
    const items = this.soon;
    this.soon = [];
    if (items.length === 1) {
      // Alone in its turn: a plain call (a pipeline object costs more than it saves here).
      const [item] = items;
      this.redis.fbAppendEvent(...item!.args).then((value) => item!.done(undefined, value), (err: unknown) => item!.done(err ?? new Error('append failed')));
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const item of items) pipeline.fbAppendEvent(...item.args);
    pipeline.exec().then(
      (results) => items.forEach((item, i) => {
        const [err, value] = results?.[i] ?? [new Error('no reply from Redis')];
        item.done(err, value as [string, number]);
      }),
      (err: unknown) => items.forEach((item) => item.done(err ?? new Error('append failed'))),
    );
  }

  /** Appends one event (see appendAll). */
  async append(bus: string, event: StoredEvent, meta: EventMeta, options: { json?: string; dedupeWindowSeconds?: number } = {}): Promise<AppendResult> {
    const [result] = await this.appendAll(bus, [event], meta, { json: options.json === undefined ? undefined : [options.json], dedupeWindowSeconds: options.dedupeWindowSeconds });
    return result!;
  }

  /** One bus log entry by its stream id, or undefined. */
  async get(bus: string, streamId: string): Promise<BusLogEntry | undefined> {
    const rows = await this.redis.xrange(this.keys.busLog(bus), streamId, streamId);
    const row = rows[0];
    return row ? parseEntry(bus, row[0], row[1]) : undefined;
  }

  /** Finds an event by its CloudEvents id (and source, when given). */
  async find(bus: string, id: string, source?: string): Promise<BusLogEntry | undefined> {
    const key = source !== undefined
      ? this.keys.eventBySourceAndId(bus, sha(`${source}\u0000${id}`))
      : this.keys.eventById(bus, sha(id));
    const streamId = await this.redis.get(key);
    if (!streamId) {
      // The id may be flowbridge's own stream id.
      return /^\d+-\d+$/.test(id) ? await this.get(bus, id) : undefined;
    }
    return await this.get(bus, streamId);
  }

  async trace(bus: string, streamId: string): Promise<TraceEntry[]> {
    const rows = await this.redis.lrange(this.keys.trace(bus, streamId), 0, -1);
    return rows.map((r) => JSON.parse(r) as TraceEntry);
  }
}

/** Parses one XREAD/XRANGE row's fields into a log entry; undefined for a malformed row (never thrown). */
export function parseEntry(bus: string, streamId: string, fields: string[]): BusLogEntry | undefined {
  let e: string | undefined;
  let m: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'e') e = fields[i + 1];
    else if (fields[i] === 'm') m = fields[i + 1];
  }
  if (e === undefined || m === undefined) return undefined;
  try {
    return { bus, streamId, event: JSON.parse(e) as StoredEvent, meta: JSON.parse(m) as EventMeta };
  } catch {
    return undefined;
  }
}

/** Lets `redis` (and its pipelines) run fbPushTraces (see pushTracesArgs). */
export function defineTraceCommands(redis: Redis): void {
  redis.defineCommand('fbPushTraces', { lua: PUSH_TRACES_SCRIPT });
}

/**
 * The arguments of one fbPushTraces call carrying the trace entries of many events of one bus,
 * each trace's expiry (re)set to `retentionSeconds`; undefined when there is nothing to write.
 * The client (or pipeline's client) it is sent on must have had defineTraceCommands.
 */
export function pushTracesArgs(keys: Keys, bus: string, traces: Map<string, TraceEntry[]>, retentionSeconds: number): [number, ...(string | number)[]] | undefined {
  const traceKeys: string[] = [];
  const args: (string | number)[] = [retentionSeconds];
  for (const [streamId, entries] of traces) {
    if (!entries.length) continue;
    traceKeys.push(keys.trace(bus, streamId));
    args.push(entries.length);
    for (const e of entries) args.push(JSON.stringify(e));
  }
  return traceKeys.length ? [traceKeys.length, ...traceKeys, ...args] : undefined;
}

/**
 * Appends trace entries for many concurrent writers as one command per event-loop turn (a
 * group commit): each append resolves once its entry is in Redis, or rejects with the error.
 * The traces' expiry is (re)set to the retention.
 */
export class TraceAppender {
  private batch: { bus: string; streamId: string; entry: TraceEntry; done: (err?: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly retentionSeconds: number,
  ) {
    defineTraceCommands(redis);
  }

  append(bus: string, streamId: string, entry: TraceEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ bus, streamId, entry, done: (err) => (err ? reject(err as Error) : resolve()) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const items = this.batch;
    this.batch = [];
    const byBus = new Map<string, Map<string, TraceEntry[]>>();
    for (const { bus, streamId, entry } of items) {
      let traces = byBus.get(bus);
      if (!traces) byBus.set(bus, (traces = new Map()));
      const list = traces.get(streamId);
      if (list) list.push(entry);
      else traces.set(streamId, [entry]);
    }
    // One script call per bus (their keys live in different slots), no pipeline object.
    for (const [bus, traces] of byBus) {
      const settle = (err?: unknown) => {
        for (const item of items) if (item.bus === bus) item.done(err);
      };
      const args = pushTracesArgs(this.keys, bus, traces, this.retentionSeconds);
      if (!args) settle();
      else this.redis.fbPushTraces(...args).then(() => settle(), (err: unknown) => settle(err ?? new Error('trace write failed')));
    }
  }
}

/**
 * Queues trace entries on a pipeline. With a TTL (the retention) the key's expiry is
 * (re)set; without, the entries join a trace whose expiry the router already set.
 */
export function pushTrace(pipeline: { rpush(key: string, ...v: string[]): unknown; expire(key: string, s: number): unknown }, keys: Keys, bus: string, streamId: string, entries: TraceEntry[], retentionSeconds?: number): void {
  if (!entries.length) return;
  const key = keys.trace(bus, streamId);
  pipeline.rpush(key, ...entries.map((e) => JSON.stringify(e)));
  if (retentionSeconds !== undefined) pipeline.expire(key, retentionSeconds);
}
