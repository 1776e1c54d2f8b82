import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Connection } from '../../connectors/spi/connection.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { sourceEventToCloudEvent } from '../../connectors/spi/source-event.ts';
import { pollVia, type PollSourceDefinition } from '../../flows/flow.compiler.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import type { Keys } from '../redis/keys.ts';
import type { ConnectorRegistry } from '../runtime/connector-registry.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import { hasSealed, openConfigSecrets, type SecretKeys } from '../secrets/config-secrets.ts';
import { nodeSecretAad } from '../secrets/flow-secrets.ts';
import type { EventStore, StoredEvent } from '../store/event-store.ts';

export interface PollRunnerDeps {
  redis: Redis;
  keys: Keys;
  registry: RuleRegistry;
  connectors: ConnectorRegistry;
  events: EventStore;
  openConnection: (id: string) => Promise<Connection>;
  http: HttpClient;
  secretKeys: SecretKeys;
  log: Logger;
  metrics: Metrics;
  /** How often due sources are looked for. */
  tickMs?: number;
}

export interface PollState {
  cursor?: string;
  nextPollAt?: string;
  lastPollAt?: string;
  lastError?: string;
  lastCount?: string;
  failures?: string;
}

const LOCK_MS = 120_000;
const POLL_TIMEOUT_MS = 30_000;

/** The CloudEvents `source` of a poll source's events: its place in the flow. */
export function pollEventSource(def: PollSourceDefinition): string {
  return `/flows/${def.flowId}/sources/${def.nodeId}`;
}

/**
 * Drives the deployed poll sources (schedule, http-poll): at each source's `nextPollAt`,
 * one process (a Redis lock) polls, persists the new events to the bus log, and only then
 * stores the cursor — a crash in between re-polls, and the repeated events are answered as
 * duplicates (their ids are stable). Failures back off and are kept in the source's state.
 */
export class PollRunner {
  private timer: NodeJS.Timeout | undefined;
  private readonly owner = randomBytes(8).toString('hex');
  private readonly running = new Set<string>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: PollRunnerDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    while (this.running.size) await new Promise((r) => setTimeout(r, 20));
  }

  /** Polls every source that is due (and not being polled by this process). */
  async tick(now: Date = new Date()): Promise<void> {
    for (const def of this.deps.registry.pollSources()) {
      const key = pollVia(def.flowId, def.nodeId);
      if (this.running.has(key)) continue;
      this.running.add(key);
      void this.pollIfDue(def, now).finally(() => this.running.delete(key));
    }
  }

  private async pollIfDue(def: PollSourceDefinition, now: Date): Promise<void> {
    const { redis, keys, log } = this.deps;
    try {
      const state = (await redis.hgetall(keys.pollState(def.flowId, def.nodeId))) as PollState;
      if (state.nextPollAt && Date.parse(state.nextPollAt) > now.getTime()) return;
      const lock = keys.pollLock(def.flowId, def.nodeId);
      if ((await redis.set(lock, this.owner, 'PX', LOCK_MS, 'NX')) !== 'OK') return;
      try {
        await this.pollOnce(def, state, now);
      } finally {
        if ((await redis.get(lock)) === this.owner) await redis.del(lock);
      }
    } catch (err) {
      log.warn({ flowId: def.flowId, nodeId: def.nodeId, err: (err as Error).message }, 'poll source check failed');
    }
  }

  /** One poll of one source: events persisted first, then the cursor. */
  async pollOnce(def: PollSourceDefinition, state: PollState, now: Date): Promise<void> {
    const { redis, keys, log, metrics } = this.deps;
    const stateKey = keys.pollState(def.flowId, def.nodeId);
    const connector = this.deps.connectors.forNodeType(def.type);
    if (!connector?.poll) {
      await redis.hset(stateKey, { lastError: `no connector for "${def.type}" in this process`, nextPollAt: new Date(now.getTime() + 60_000).toISOString() });
      return;
    }
    try {
      const config = hasSealed(def.config) ? openConfigSecrets(def.config, this.deps.secretKeys, nodeSecretAad(def.flowId, def.nodeId)) : def.config;
      const connection = def.connection ? await this.deps.openConnection(def.connection) : undefined;
      const cursor = state.cursor ? (JSON.parse(state.cursor) as unknown) : undefined;
      const result = await connector.poll(
        { config: config as never, connection, now, signal: this.abort.signal, timeoutMs: POLL_TIMEOUT_MS, http: this.deps.http },
        cursor as never,
      );
      const source = pollEventSource(def);
      const events = result.events.map((e) => sourceEventToCloudEvent(e, source) as StoredEvent);
      const appended = await this.deps.events.appendAll(def.bus, events, { via: pollVia(def.flowId, def.nodeId), at: Date.now() });
      const fresh = appended.filter((a) => !a.duplicate).length;
      await redis.hset(stateKey, { cursor: JSON.stringify(result.cursor ?? null), nextPollAt: result.nextPollAt, lastPollAt: now.toISOString(), lastError: '', lastCount: String(fresh), failures: '0' });
      metrics.inc('flowbridge_poll_events_total', { flow: def.flowId }, fresh);
      if (fresh) log.info({ flowId: def.flowId, nodeId: def.nodeId, events: fresh }, 'poll source produced events');
    } catch (err) {
      const failures = Number(state.failures ?? 0) + 1;
      const delay = Math.min(300_000, 5000 * 2 ** Math.min(6, failures - 1));
      await redis.hset(stateKey, { lastError: (err as Error).message, failures: String(failures), lastPollAt: now.toISOString(), nextPollAt: new Date(now.getTime() + delay).toISOString() });
      metrics.inc('flowbridge_poll_failures_total', { flow: def.flowId });
      log.warn({ flowId: def.flowId, nodeId: def.nodeId, err: (err as Error).message, retryInMs: delay }, 'poll failed');
    }
  }
}
