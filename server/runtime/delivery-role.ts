import { Redis, type RedisOptions } from 'ioredis';
import { createHttpClient } from '../../connectors/spi/http-client.ts';
import type { Config } from '../config.ts';
import { ConnectionService } from '../connections/connection.service.ts';
import { ConnectionStore } from '../connections/connection-store.ts';
import { DeliveryPool } from '../delivery/delivery-pool.ts';
import { DeliveryQueues } from '../delivery/delivery-queues.ts';
import { OrderingStore } from '../delivery/ordering.ts';
import { TargetStates } from '../delivery/target-state.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import type { Keys } from '../redis/keys.ts';
import type { SecretKeys } from '../secrets/config-secrets.ts';
import { flowConnectionUsage } from '../services/flow.service.ts';
import { DeadLetterStore } from '../store/dead-letter-store.ts';
import { EventStore } from '../store/event-store.ts';
import { FlowStore } from '../store/flow-store.ts';
import type { ConnectorRegistry } from './connector-registry.ts';

export interface DeliveryRole {
  isRunning(): boolean;
  /** Stops taking work; in-flight deliveries get `graceMs` to finish. */
  close(graceMs: number): Promise<void>;
}

/**
 * The delivery workers with everything they need, on connections of their own: runs in the
 * main thread, or alone in a worker thread (so deliveries use another core than ingest and
 * routing, in one process).
 */
export async function startDeliveryRole(options: { config: Config; redisUrl: string; keys: Keys; connectors: ConnectorRegistry; log: Logger; metrics: Metrics; secretKeys: SecretKeys }): Promise<DeliveryRole> {
  const { config, redisUrl, keys, connectors, log, metrics, secretKeys } = options;
  const base: RedisOptions = { enableAutoPipelining: true, retryStrategy: (n) => Math.min(50 * n, 1000) };
  const redis = new Redis(redisUrl, { ...base, maxRetriesPerRequest: 3, commandTimeout: 10_000 });
  const bullConnection = new Redis(redisUrl, { ...base, enableAutoPipelining: false, maxRetriesPerRequest: null });
  for (const c of [redis, bullConnection]) c.on('error', (err: Error) => log.debug({ err: err.message }, 'redis connection error'));
  const storeOptions = { retentionSeconds: config.retentionSeconds, dedupeWindowSeconds: config.dedupeWindowSeconds, maxLogLength: 10_000_000 };
  const events = new EventStore(redis, keys, storeOptions);
  const flowStore = new FlowStore(redis, keys);
  const connections = new ConnectionService(ConnectionStore.forKeys(redis, keys), secretKeys, () => flowConnectionUsage(flowStore), log);
  const queues = new DeliveryQueues(redis, keys, connectors);
  const http = createHttpClient({ allowPrivate: config.allowPrivateTargets, userAgent: 'flowbridge/0.1' });
  const pool = new DeliveryPool(
    { redis, keys, connectors, deadLetters: new DeadLetterStore(redis, keys), events, http, queues, targets: new TargetStates(redis, keys, config.targetStateCacheMs), ordering: new OrderingStore(redis, keys), log, metrics, retentionSeconds: config.retentionSeconds, secretKeys, connections },
    { connection: bullConnection, concurrency: config.deliveryConcurrency, lockDurationMs: config.jobLockMs, defaultRetention: { maxCount: config.deadLetterMaxCount, maxAgeSeconds: config.deadLetterMaxAgeSeconds } },
  );
  await pool.start();
  return {
    isRunning: () => pool.isRunning,
    async close(graceMs) {
      await pool.close(graceMs);
      await queues.close();
      await http.close();
      await Promise.allSettled([redis.quit(), bullConnection.quit()]);
    },
  };
}
