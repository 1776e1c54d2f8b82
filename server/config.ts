import path from 'node:path';
import type net from 'node:net';
import { parseCidrList } from '../connectors/spi/address-guard.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset: start the embedded redis-server. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key this instance uses. */
  redisPrefix: string;
  adminToken: string | undefined;
  allowPrivateTargets: net.BlockList | undefined;
  allowPrivateTargetsText: string;
  deliveryConcurrency: number;
  /** Worker threads that run the deliveries (0: in the main thread). */
  deliveryThreads: number;
  /** Largest webhook or CloudEvents request body. */
  maxRequestBytes: number;
  /** Largest single event. */
  maxEventBytes: number;
  /** How long the bus log and traces are kept. */
  retentionSeconds: number;
  /** Window in which a repeated (source, id) is a duplicate. */
  dedupeWindowSeconds: number;
  logLevel: string;
  /** A bus log entry read by a router that stopped without acknowledging it is taken over after this long. */
  routerClaimIdleMs: number;
  /** A delivery job's lock; when its worker dies, the job is retried after at most about this long. */
  jobLockMs: number;
  /** FLOWBRIDGE_SECRET_KEY (32 bytes, hex or base64); unset: a key file in the data dir. */
  secretKey: string | undefined;
  /** Earlier keys (comma-separated), still accepted for opening while secrets are re-sealed. */
  previousSecretKeys: string[];
  /** How long a start waits for Redis before giving up with an error. */
  redisConnectTimeoutMs: number;
  /** On SIGTERM, how long in-flight deliveries may take to finish before they are aborted (and retried elsewhere). */
  shutdownGraceMs: number;
  /** How long a worker trusts its cached view of a target's breaker and disabled state. */
  targetStateCacheMs: number;
  /** Dead letter retention of a bus without its own setting. */
  deadLetterMaxCount: number;
  deadLetterMaxAgeSeconds: number;
}

export class ConfigError extends Error {}

function intFrom(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Reads the configuration from flags (already parsed) and the environment; throws ConfigError with a clear message. */
export function loadConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): Config {
  const allowText = flags['allow-private-targets'] ?? env.FLOWBRIDGE_ALLOW_PRIVATE_TARGETS ?? '';
  let allow: net.BlockList | undefined;
  try {
    allow = allowText ? parseCidrList(allowText) : undefined;
  } catch (err) {
    throw new ConfigError(`FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: ${(err as Error).message}`);
  }
  return {
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    port: intFrom('--port / PORT', flags.port ?? env.PORT, 8080, 0, 65535),
    dataDir: path.resolve(flags['data-dir'] ?? env.FLOWBRIDGE_DATA_DIR ?? './data'),
    redisUrl: flags['redis-url'] ?? (env.REDIS_URL || undefined),
    redisPrefix: env.FLOWBRIDGE_REDIS_PREFIX || 'fb',
    adminToken: env.FLOWBRIDGE_ADMIN_TOKEN || undefined,
    allowPrivateTargets: allow,
    allowPrivateTargetsText: allowText,
    deliveryThreads: intFrom('FLOWBRIDGE_DELIVERY_THREADS', env.FLOWBRIDGE_DELIVERY_THREADS, 1, 0, 64),
    deliveryConcurrency: intFrom('FLOWBRIDGE_DELIVERY_CONCURRENCY', env.FLOWBRIDGE_DELIVERY_CONCURRENCY, 200, 1, 5000),
    maxRequestBytes: intFrom('FLOWBRIDGE_MAX_REQUEST_BYTES', env.FLOWBRIDGE_MAX_REQUEST_BYTES, 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxEventBytes: intFrom('FLOWBRIDGE_MAX_EVENT_BYTES', env.FLOWBRIDGE_MAX_EVENT_BYTES, 256 * 1024, 1024, 64 * 1024 * 1024),
    retentionSeconds: intFrom('FLOWBRIDGE_RETENTION_SECONDS', env.FLOWBRIDGE_RETENTION_SECONDS, 7 * 86_400, 60, 365 * 86_400),
    dedupeWindowSeconds: intFrom('FLOWBRIDGE_DEDUPE_WINDOW_SECONDS', env.FLOWBRIDGE_DEDUPE_WINDOW_SECONDS, 86_400, 0, 30 * 86_400),
    logLevel: env.FLOWBRIDGE_LOG_LEVEL || 'info',
    routerClaimIdleMs: intFrom('FLOWBRIDGE_ROUTER_CLAIM_IDLE_MS', env.FLOWBRIDGE_ROUTER_CLAIM_IDLE_MS, 30_000, 1000, 3_600_000),
    secretKey: env.FLOWBRIDGE_SECRET_KEY || undefined,
    previousSecretKeys: (env.FLOWBRIDGE_SECRET_KEY_PREVIOUS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    redisConnectTimeoutMs: intFrom('FLOWBRIDGE_REDIS_CONNECT_TIMEOUT_MS', env.FLOWBRIDGE_REDIS_CONNECT_TIMEOUT_MS, 30_000, 100, 3_600_000),
    jobLockMs: intFrom('FLOWBRIDGE_JOB_LOCK_MS', env.FLOWBRIDGE_JOB_LOCK_MS, 30_000, 1000, 600_000),
    shutdownGraceMs: intFrom('FLOWBRIDGE_SHUTDOWN_GRACE_MS', env.FLOWBRIDGE_SHUTDOWN_GRACE_MS, 30_000, 0, 3_600_000),
    targetStateCacheMs: intFrom('FLOWBRIDGE_TARGET_STATE_CACHE_MS', env.FLOWBRIDGE_TARGET_STATE_CACHE_MS, 1000, 0, 60_000),
    deadLetterMaxCount: intFrom('FLOWBRIDGE_DEAD_LETTER_MAX_COUNT', env.FLOWBRIDGE_DEAD_LETTER_MAX_COUNT, 100_000, 1, 100_000_000),
    deadLetterMaxAgeSeconds: intFrom('FLOWBRIDGE_DEAD_LETTER_MAX_AGE_SECONDS', env.FLOWBRIDGE_DEAD_LETTER_MAX_AGE_SECONDS, 30 * 86_400, 60, 3650 * 86_400),
  };
}
