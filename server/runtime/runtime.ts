import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type express from 'express';
import type { Connector } from '../../connectors/spi/connector.ts';
import { createHttpClient, type HttpClient } from '../../connectors/spi/http-client.ts';
import { CONNECTORS } from '../../connectors/catalog.ts';
import { DEFAULT_BUS } from '../../flows/flow.compiler.ts';
import { createApi } from '../api/api.ts';
import { createUiStatic } from '../api/ui-static.ts';
import type { Config } from '../config.ts';
import { Worker } from 'node:worker_threads';
import { startDeliveryRole, type DeliveryRole } from './delivery-role.ts';
import type { DeliveryThreadData, DeliveryThreadMessage } from './delivery-thread.ts';
import { loadSecretKeys } from './secret-keys.ts';
import { DeliveryQueues } from '../delivery/delivery-queues.ts';
import { OrderingStore } from '../delivery/ordering.ts';
import { TargetStates } from '../delivery/target-state.ts';
import { TargetService } from '../delivery/target.service.ts';
import { createIngestHandler } from '../ingest/ingest.handler.ts';
import { createLogger, type Logger } from '../logging.ts';
import { Metrics } from '../metrics.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../redis/embedded-redis.ts';
import { Keys } from '../redis/keys.ts';
import { DEFAULT_ROUTER_OPTIONS, Router } from '../router/router.ts';
import { AdminTokenChecker, ensureAdminToken } from '../services/admin-token.ts';
import { ensureBus } from '../services/bus.service.ts';
import { DeadLetterService } from '../services/dead-letter.service.ts';
import { FlowService, flowConnectionUsage } from '../services/flow.service.ts';
import { ConnectionService } from '../connections/connection.service.ts';
import { ConnectionStore } from '../connections/connection-store.ts';
import { createConnectionRoutes } from '../api/connections.routes.ts';
import { PollRunner } from '../sources/poll-runner.ts';
import { DeadLetterStore } from '../store/dead-letter-store.ts';
import { EventStore } from '../store/event-store.ts';
import { FlowStore } from '../store/flow-store.ts';
import { ConnectorRegistry } from './connector-registry.ts';
import { RuleRegistry } from './rule-registry.ts';

export interface Roles {
  api: boolean;
  router: boolean;
  worker: boolean;
}

export interface RuntimeOptions {
  config: Config;
  roles: Roles;
  logger?: Logger;
  connectors?: readonly Connector<never>[];
  /** Routers mounted on the HTTP app (the editor). */
  extraRoutes?: express.Router[];
  /** Serve the editor's build from this folder at `/` (default: ui/dist of this checkout). */
  uiDistDir?: string | false;
  /** Milliseconds to let in-flight deliveries finish on stop. */
  shutdownGraceMs?: number;
}

export interface Runtime {
  /** `http://host:port` when the API role runs. */
  url: string | undefined;
  redisUrl: string;
  /** The admin token, only when this start created it (print it once). */
  createdAdminToken: string | undefined;
  keys: Keys;
  redis: Redis;
  metrics: Metrics;
  log: Logger;
  stop(): Promise<void>;
}

const WORKER_HEARTBEAT_MS = 5000;
// A delivery holds its job's objects for a round trip to the target; under load V8's default
// young generation (48 MB) promoted most of them, and the collector then used more CPU than
// the delivery code (bench profiles). 96 MB (what `--max-semi-space-size=32`, used by
// `npm start`, gives the main thread) lets more of them die young; see bench/README.md.
const DELIVERY_THREAD_YOUNG_GENERATION_MB = 96;
const DEFAULT_UI_DIST = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../ui/dist');

/** Starts `config.deliveryThreads` delivery worker threads; their metrics join `metrics`. */
async function startDeliveryThreads(config: Config, redisUrl: string, metrics: Metrics, log: Logger): Promise<DeliveryRole> {
  const { allowPrivateTargets: _blockList, ...cloneable } = config;
  const threads = await Promise.all(
    Array.from({ length: config.deliveryThreads }, async () => {
      const data: DeliveryThreadData = { config: cloneable, redisUrl };
      const worker = new Worker(new URL('./delivery-thread-entry.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: DELIVERY_THREAD_YOUNG_GENERATION_MB } });
      const state = { worker, running: false, lastBeat: Date.now(), closed: false };
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (m: DeliveryThreadMessage) => {
          if (m.type === 'beat') {
            state.running = m.running;
            state.lastBeat = Date.now();
            metrics.setRemote(`thread-${worker.threadId}`, m.metrics);
          } else if (m.type === 'closed') {
            state.closed = true;
            resolve();
          } else if (m.type === 'failed') log.error({ thread: worker.threadId, err: m.message }, 'delivery thread failed');
        });
        worker.once('exit', () => {
          state.running = false;
          resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: DeliveryThreadMessage) => {
          if (m.type === 'ready') {
            worker.off('message', onMessage);
            state.running = true;
            resolve();
          } else if (m.type === 'failed') reject(new Error(`delivery thread could not start: ${m.message}`));
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      });
      worker.on('error', (err) => log.error({ thread: worker.threadId, err: err.message }, 'delivery thread crashed'));
      return { state, closed };
    }),
  );
  return {
    isRunning: () => threads.every((t) => t.state.running && Date.now() - t.state.lastBeat < 5000),
    async close(graceMs) {
      for (const t of threads) t.state.worker.postMessage({ type: 'close', graceMs });
      const deadline = new Promise<void>((r) => setTimeout(r, graceMs + 5000).unref());
      await Promise.race([Promise.all(threads.map((t) => t.closed)), deadline]);
      await Promise.all(threads.map(async (t) => (t.state.closed ? undefined : await t.state.worker.terminate())));
    },
  };
}

/** Resolves when every connection is ready; rejects naming the URL and the last error after `timeoutMs`. */
async function waitForReady(connections: Redis[], timeoutMs: number): Promise<void> {
  let lastError = '';
  const onError = (err: Error) => {
    lastError = (err as NodeJS.ErrnoException).code ?? err.message;
  };
  for (const c of connections) c.on('error', onError);
  try {
    await Promise.race([
      Promise.all(connections.map((c) => (c.status === 'ready' ? Promise.resolve() : new Promise((resolve) => c.once('ready', resolve))))),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ]);
  } catch {
    const o = connections[0]!.options;
    throw new Error(`cannot connect to Redis at redis://${o.host ?? '127.0.0.1'}:${o.port ?? 6379} within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`);
  } finally {
    for (const c of connections) c.off('error', onError);
  }
}

/** Starts the roles of one flowbridge process on one Redis (the embedded one when no URL is configured). */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, roles } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const keys = new Keys(config.redisPrefix);
  const secretKeys = await loadSecretKeys(config);
  const cleanup: (() => Promise<void>)[] = [];

  let embedded: EmbeddedRedis | undefined;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    embedded = await startEmbeddedRedis({
      dataDir: path.join(config.dataDir, 'redis'),
      appendOnly: true,
      onRestart: (info) => log.error(info, 'embedded redis-server exited; restarting it'),
    });
    redisUrl = embedded.url;
    log.info({ redisUrl, dataDir: path.join(config.dataDir, 'redis') }, 'embedded redis-server started (AOF on)');
  }

  const base: RedisOptions = { lazyConnect: false, enableAutoPipelining: true, retryStrategy: (n) => Math.min(50 * n, 1000) };
  const redis = new Redis(redisUrl, { ...base, maxRetriesPerRequest: 3, commandTimeout: 10_000 });
  // Ingest must fail fast when Redis is away: a 503 at once, never a 202 for an event not persisted.
  const ingestRedis = new Redis(redisUrl, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 5000, autoResendUnfulfilledCommands: false });
  const blocking = new Redis(redisUrl, { ...base, enableAutoPipelining: false, maxRetriesPerRequest: null });
  const bullConnection = new Redis(redisUrl, { ...base, enableAutoPipelining: false, maxRetriesPerRequest: null });
  const subscriber = new Redis(redisUrl, { ...base, enableAutoPipelining: false, maxRetriesPerRequest: null });
  for (const c of [redis, ingestRedis, blocking, bullConnection, subscriber]) {
    c.on('error', (err: Error) => log.debug({ err: err.message }, 'redis connection error'));
  }
  try {
    await waitForReady([redis, ingestRedis], config.redisConnectTimeoutMs);
  } catch (err) {
    for (const c of [redis, ingestRedis, blocking, bullConnection, subscriber]) c.disconnect();
    await embedded?.stop();
    throw err;
  }
  cleanup.push(async () => {
    await Promise.allSettled([redis, ingestRedis, blocking, bullConnection, subscriber].map((c) => c.quit()));
  });

  const storeOptions = { retentionSeconds: config.retentionSeconds, dedupeWindowSeconds: config.dedupeWindowSeconds, maxLogLength: 10_000_000 };
  const events = new EventStore(redis, keys, storeOptions);
  const ingestEvents = new EventStore(ingestRedis, keys, storeOptions);
  const flowStore = new FlowStore(redis, keys);
  const deadLetterStore = new DeadLetterStore(redis, keys);
  const connectors = new ConnectorRegistry(options.connectors ?? CONNECTORS);
  const registry = new RuleRegistry(redis, keys, log);
  await ensureBus(redis, keys, DEFAULT_BUS);
  await registry.refresh(true);

  // Every process learns of deploys at once (pub/sub), with a periodic check as a safety net.
  await subscriber.subscribe(keys.deployChannel);
  subscriber.on('message', () => {
    registry.refresh().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'rule reload failed'));
  });
  const refreshTimer = setInterval(() => {
    registry.refresh().catch(() => undefined);
  }, 5000);
  refreshTimer.unref();
  cleanup.unshift(async () => clearInterval(refreshTimer));

  // Stored credentials: the API manages them, workers and poll sources open them.
  const connectionService = new ConnectionService(ConnectionStore.forKeys(redis, keys), secretKeys, () => flowConnectionUsage(flowStore), log);

  // One delivery queue per target (isolation, pacing, breaker), ordered keys, target state.
  const deliveryQueues = new DeliveryQueues(redis, keys, connectors);
  const ordering = new OrderingStore(redis, keys);
  const targetStates = new TargetStates(redis, keys, config.targetStateCacheMs);
  const defaultDeadLetterRetention = { maxCount: config.deadLetterMaxCount, maxAgeSeconds: config.deadLetterMaxAgeSeconds };
  cleanup.unshift(async () => deliveryQueues.close());

  let delivery: DeliveryRole | undefined;
  let httpClient: HttpClient | undefined;
  const workerId = `${os.hostname()}-${process.pid}`;
  if (roles.worker) {
    httpClient = createHttpClient({ allowPrivate: config.allowPrivateTargets, userAgent: 'flowbridge/0.1' });
    // Deliveries run in worker threads (another core than ingest and routing, one process);
    // connectors given in code (tests) cannot cross a thread boundary, so they run here.
    delivery = config.deliveryThreads > 0 && !options.connectors
      ? await startDeliveryThreads(config, redisUrl, metrics, log)
      : await startDeliveryRole({ config, redisUrl, keys, connectors, log, metrics, secretKeys });
    const polls = new PollRunner({ redis, keys, registry, connectors, events, openConnection: (id) => connectionService.open(id), http: httpClient, secretKeys, log, metrics });
    polls.start();
    cleanup.unshift(async () => polls.stop());
    const beat = () => (delivery!.isRunning() ? redis.hset(keys.workers, workerId, JSON.stringify({ at: Date.now(), pid: process.pid, host: os.hostname() })).catch(() => undefined) : undefined);
    void beat();
    const timer = setInterval(() => void beat(), WORKER_HEARTBEAT_MS);
    timer.unref();
    cleanup.unshift(async () => {
      clearInterval(timer);
      await redis.hdel(keys.workers, workerId).catch(() => undefined);
      await httpClient!.close();
    });
  }

  let router: Router | undefined;
  if (roles.router) {
    router = new Router(blocking, redis, keys, registry, deliveryQueues, ordering, events, deadLetterStore, log, metrics, { ...DEFAULT_ROUTER_OPTIONS, retentionSeconds: config.retentionSeconds, claimIdleMs: config.routerClaimIdleMs });
    await router.start();
  }
  // On stop, the router and the workers stop taking work at the same moment; in-flight
  // deliveries get the grace period to finish, past it they are aborted (and retried elsewhere).
  const grace = options.shutdownGraceMs ?? config.shutdownGraceMs;
  cleanup.unshift(async () => {
    await Promise.all([router?.stop(), delivery?.close(grace)]);
  });

  const health = async () => {
    const started = Date.now();
    let reachable = false;
    try {
      // Asked on the ingest connection (fail-fast, not queued behind the workers' traffic), and a
      // connection that is not ready means Redis is away now: do not wait for a reconnect to say so.
      reachable = redis.status === 'ready' && ingestRedis.status === 'ready' && (await Promise.race([ingestRedis.ping(), new Promise<string>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000).unref())])) === 'PONG';
    } catch {
      reachable = false;
    }
    const latencyMs = Date.now() - started;
    let workersAlive = 0;
    if (reachable) {
      const beats = await redis.hgetall(keys.workers).catch(() => ({}) as Record<string, string>);
      workersAlive = Object.values(beats).filter((b) => {
        try {
          return Date.now() - (JSON.parse(b) as { at: number }).at < 3 * WORKER_HEARTBEAT_MS;
        } catch {
          return false;
        }
      }).length;
    }
    const local = { router: router ? router.isRunning : undefined, worker: delivery ? delivery.isRunning() : undefined };
    const broken = [...registry.brokenFlows].map(([flowId, reason]) => ({ flowId, reason }));
    const ok = reachable && (roles.worker ? Boolean(local.worker) : workersAlive > 0) && (!roles.router || Boolean(local.router)) && broken.length === 0;
    return { ok, body: { status: ok ? 'ok' : 'unhealthy', redis: { reachable, latencyMs }, workers: { alive: workersAlive, ...local }, rules: registry.ruleCount, ...(broken.length ? { flowsNotCompiling: broken } : {}) } };
  };

  let url: string | undefined;
  let createdAdminToken: string | undefined;
  if (roles.api) {
    createdAdminToken = await ensureAdminToken(redis, keys, config.adminToken);
    const flows = new FlowService(flowStore, connectors.catalog, redis, keys, log, secretKeys, connectionService);
    const apiHttp = httpClient ?? createHttpClient({ allowPrivate: config.allowPrivateTargets, userAgent: 'flowbridge/0.1' });
    const connectionRoutes = createConnectionRoutes(connectionService, apiHttp, async () => ({ connections: await connectionService.reseal(), flows: await flows.resealSecrets() }));
    const deadLetters = new DeadLetterService(deadLetterStore, deliveryQueues, ordering, registry, redis, keys, log, config.retentionSeconds, defaultDeadLetterRetention);
    const targets = new TargetService(deliveryQueues, targetStates, ordering, redis, keys, log);
    // A bulk redrive whose API process died is finished by another.
    const resumeTimer = setInterval(() => {
      deadLetters.resumeStaleBulkRedrives().catch((err: unknown) => log.debug({ err: (err as Error).message }, 'bulk redrive resume check failed'));
    }, 15_000);
    resumeTimer.unref();
    cleanup.unshift(async () => clearInterval(resumeTimer));
    const app = createApi({ redis, keys, flows, deadLetters, events, flowStore, deadLetterStore, registry, deliveryQueues, targets, retentionSeconds: config.retentionSeconds, connectors, tokens: new AdminTokenChecker(redis, keys), log, metrics, health, apiRoutes: [connectionRoutes], extra: [...(options.extraRoutes ?? []), ...(options.uiDistDir === false ? [] : [createUiStatic(options.uiDistDir ?? DEFAULT_UI_DIST)])] });
    const ingest = createIngestHandler({ events: ingestEvents, registry, redis, keys, log, metrics, secretKeys, maxRequestBytes: config.maxRequestBytes, maxEventBytes: config.maxEventBytes });
    const server = http.createServer((req, res) => {
      const q = req.url!.indexOf('?');
      const p = q === -1 ? req.url! : req.url!.slice(0, q);
      if (!ingest(req, res, p)) app(req, res);
    });
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${host}:${addr.port}`;
    // Stop accepting first, so nothing new arrives while the rest shuts down.
    cleanup.unshift(async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    });
  }

  if (embedded) {
    const e = embedded;
    cleanup.push(async () => e.stop());
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    redisUrl,
    createdAdminToken,
    keys,
    redis,
    metrics,
    log,
    stop() {
      stopping ??= (async () => {
        for (const step of cleanup) {
          try {
            await step();
          } catch (err) {
            log.warn({ err: (err as Error).message }, 'shutdown step failed');
          }
        }
      })();
      return stopping;
    },
  };
}
