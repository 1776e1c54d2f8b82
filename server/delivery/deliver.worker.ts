import { DelayedError, UnrecoverableError, Worker, type Job, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Connection } from '../../connectors/spi/connection.ts';
import { DeliveryError } from '../../connectors/spi/failure.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import type { ErrorCode } from '../../flows/error-codes.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import { ROUTER_GROUP, deliveryQueueName, type Keys } from '../redis/keys.ts';
import type { ConnectorRegistry } from '../runtime/connector-registry.ts';
import { hasSealed, openConfigSecrets, type SecretKeys } from '../secrets/config-secrets.ts';
import { nodeSecretAad } from '../secrets/flow-secrets.ts';
import type { DeadLetter, DeadLetterReason, DeadLetterStore } from '../store/dead-letter-store.ts';
import { pushTrace, TraceAppender, type EventStore } from '../store/event-store.ts';
import { deadLetterAlertJob } from './dead-letter-alert.ts';
import { computeBackoff, type DeliveryAttempt, type DeliveryJobData } from './delivery-job.ts';
import { deliveryJobOptions, targetOfJob, type DeliveryQueues } from './delivery-queues.ts';
import { compareStreamIds, type OrderingStore } from './ordering.ts';
import { createOutboundHttp, standardWebhooksKey } from './outbound.ts';
import type { TargetStates } from './target-state.ts';

export interface DeliveryProcessorDeps {
  redis: Redis;
  keys: Keys;
  connectors: ConnectorRegistry;
  deadLetters: DeadLetterStore;
  events: EventStore;
  http: HttpClient;
  queues: DeliveryQueues;
  targets: TargetStates;
  ordering: OrderingStore;
  log: Logger;
  metrics: Metrics;
  retentionSeconds: number;
  /** Opens the sealed (writeOnly) values of target configs just before a send. */
  secretKeys: SecretKeys;
  /** Stored connections: opened for the target that names one; told when a target rejects its credentials. */
  connections?: {
    open(id: string): Promise<Connection>;
    setHealth(id: string, status: 'ok' | 'unhealthy', message: string): Promise<void>;
  };
}

function asDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  // A connector that throws something unclassified gets the benefit of the doubt: retry.
  return new DeliveryError(err instanceof Error ? err.message : String(err), { kind: 'retryable', reason: 'unclassified connector error' });
}

/** Thrown to end a job whose outcome is already recorded (dead letter): BullMQ fails it without a retry. */
class Finished extends UnrecoverableError {}

/**
 * Records a dead letter, its trace entry, and its alert delivery. The alert job goes in
 * first and its id derives from the dead letter's, so a crash between the steps repeats
 * them without a second alert; the dead letter is written before its job is failed.
 */
export async function recordDeadLetter(deps: Pick<DeliveryProcessorDeps, 'redis' | 'keys' | 'deadLetters' | 'events' | 'queues' | 'log' | 'metrics' | 'retentionSeconds'>, jobId: string, d: DeliveryJobData, reason: DeadLetterReason, error: DeadLetter['lastError']): Promise<DeadLetter> {
  const trace = await deps.events.trace(d.bus, d.streamId);
  const attempts = trace
    .filter((e) => e.kind === 'attempt' && e.deliveryId === jobId)
    .map(({ t: _t, kind: _k, ruleId: _r, flowId: _f, deliveryId: _d, ...a }) => a as unknown as DeliveryAttempt);
  const dl: DeadLetter = { id: jobId, createdAt: new Date().toISOString(), reason, lastError: error, attempts, targetId: targetOfJob(d), delivery: d };
  const alert = deadLetterAlertJob(dl);
  if (alert) await deps.queues.addBulk([alert]);
  const multi = deps.redis.multi();
  deps.deadLetters.queuePut(multi, dl);
  pushTrace(multi, deps.keys, d.bus, d.streamId, [{ t: Date.now(), kind: 'dead-lettered', ruleId: d.ruleId, flowId: d.flowId, deliveryId: jobId, reason, errorKind: error.kind, error: error.message }], deps.retentionSeconds);
  await multi.exec();
  deps.metrics.inc('flowbridge_dead_letters_total', { reason });
  deps.log.warn({ deadLetterId: dl.id, flowId: d.flowId, ruleId: d.ruleId, targetId: dl.targetId, reason, error: error.message }, 'delivery dead-lettered');
  return dl;
}

/**
 * The delivery of one job: admission (target disabled, circuit open, ordering turn),
 * one connector call per attempt with every attempt in the event's trace, the breaker and
 * health updated from the outcome, retries by the policy, and a dead letter when the
 * attempts are spent or the failure is permanent. A delivery that may not go now (breaker
 * open) goes back to its queue without using an attempt, and its whole queue pauses.
 */
export function createDeliveryProcessor(deps: DeliveryProcessorDeps, signal: AbortSignal, closing: () => boolean = () => false): (job: Job<DeliveryJobData>, token?: string) => Promise<void> {
  const { keys, log, metrics } = deps;
  // Connections this process marked unhealthy: its next success through one clears the mark.
  const unhealthyConnections = new Set<string>();

  // Attempts finishing in the same event-loop turn share one write.
  const traces = new TraceAppender(deps.redis, keys, deps.retentionSeconds);
  const recordAttempt = async (d: DeliveryJobData, jobId: string, attempt: DeliveryAttempt): Promise<void> => {
    await traces.append(d.bus, d.streamId, { t: Date.now(), kind: 'attempt', ruleId: d.ruleId, flowId: d.flowId, deliveryId: jobId, ...attempt });
  };

  /** The delivery's outcome is recorded: let the next one of its ordering key go. */
  const finish = async (jobId: string, d: DeliveryJobData, targetId: string): Promise<void> => {
    if (!d.ordering) return;
    const next = await deps.ordering.advance(targetId, d.ordering.keyHash, jobId);
    if (!next) return;
    await deps.queues.addBulk([{ data: next.data, opts: deliveryJobOptions(next.id, next.data.delivery.maxAttempts) }]);
    await deps.ordering.clearPending(targetId, d.ordering.keyHash, next.id);
  };

  const deadLetter = async (job: Job<DeliveryJobData>, targetId: string, reason: DeadLetterReason, error: DeadLetter['lastError']): Promise<never> => {
    await recordDeadLetter(deps, job.id!, job.data, reason, error);
    await finish(job.id!, job.data, targetId);
    throw new Finished(error.message);
  };

  /** A Standard Webhooks secret: from a stored hmac connection, or from the environment. */
  const signingSecret = async (signing: NonNullable<DeliveryJobData['delivery']['signing']>): Promise<string> => {
    if (signing.secretEnv) {
      const value = process.env[signing.secretEnv];
      if (!value) throw new Error(`the environment variable ${signing.secretEnv} is not set in this process`);
      return value;
    }
    if (!signing.connection || !deps.connections) throw new Error('no connection store in this process');
    const c = await deps.connections.open(signing.connection);
    if (c.kind !== 'hmac') throw new Error(`connection "${signing.connection}" is of kind ${c.kind}; signing needs an hmac connection`);
    return c.secret;
  };

  const pause = async (targetId: string, ms: number, why: string): Promise<never> => {
    metrics.inc('flowbridge_delivery_waits_total', { why });
    await deps.queues.queue(targetId).rateLimit(Math.max(1, Math.ceil(ms)));
    throw Worker.RateLimitError();
  };

  return async (job, token) => {
    const d = job.data;
    const jobId = job.id!;
    const targetId = targetOfJob(d);

    // A BullMQ worker waiting for work when its close begins still takes the job that ends the
    // wait: a closing process sends nothing new, so the job goes back, untouched, for another.
    if (closing()) {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    // A job retried because its worker died may be finished already: the trace knows.
    if (job.stalledCounter > 0) {
      const trace = await deps.events.trace(d.bus, d.streamId);
      const done = trace.find((e) => e.deliveryId === jobId && ((e.kind === 'attempt' && e.ok === true) || e.kind === 'dead-lettered'));
      if (done) {
        log.info({ jobId, outcome: done.kind }, 'delivery was finished before its worker stopped; not sending it again');
        await finish(jobId, d, targetId);
        return;
      }
    }
    if (d.ordering) {
      // An earlier log entry still being routed (by another router, or one that died) may
      // belong to this key and sort before this delivery: wait until it is listed.
      const [oldest] = (await deps.redis.xpending(keys.busLog(d.bus), ROUTER_GROUP, '-', '+', 1)) as [string, ...unknown[]][];
      if (oldest && compareStreamIds(oldest[0], d.streamId) < 0) {
        metrics.inc('flowbridge_delivery_waits_total', { why: 'ordering-routing' });
        await job.moveToDelayed(Date.now() + 100, token);
        throw new DelayedError();
      }
      // Only the head of a key has a job; any other is a leftover whose turn has passed or will bring a new job.
      if (!(await deps.ordering.isHead(targetId, d.ordering.keyHash, jobId))) {
        log.info({ jobId }, 'ordered delivery is not in turn; its turn brings its own job');
        return;
      }
    }
    const ageMs = Date.now() - d.acceptedAt;
    if (ageMs > d.delivery.maxEventAgeSeconds * 1000) {
      await deadLetter(job, targetId, 'event-too-old', { kind: 'permanent', code: 'ERR_DELIVERY_EVENT_TOO_OLD', message: `the event is ${Math.round(ageMs / 1000)} s old; the policy allows ${d.delivery.maxEventAgeSeconds} s` });
    }
    const admission = await deps.targets.admit(targetId, d.delivery.timeoutMs + 5000);
    if (admission.kind === 'disabled') {
      await deadLetter(job, targetId, 'target-disabled', { kind: 'config', code: 'ERR_DELIVERY_TARGET_DISABLED', message: `the target is disabled (${admission.reason}); enable it with POST /api/v1/targets/${targetId}/enable` });
    }
    if (admission.kind === 'wait') await pause(targetId, admission.ms, admission.why);
    const probe = admission.kind === 'go' && admission.probe;

    const connector = deps.connectors.forNodeType(d.target.type);
    if (!connector?.send) {
      await deadLetter(job, targetId, 'permanent-failure', { kind: 'config', code: 'ERR_DELIVERY_NO_CONNECTOR', message: `no connector for target type "${d.target.type}" in this process` });
    }
    let config: unknown = d.target.config;
    if (hasSealed(config)) {
      try {
        config = openConfigSecrets(config, deps.secretKeys, nodeSecretAad(d.flowId, d.target.nodeId));
      } catch (err) {
        await deadLetter(job, targetId, 'permanent-failure', { kind: 'config', message: `a secret of the target's config cannot be opened: ${(err as Error).message}` });
      }
    }
    let connection: Connection | undefined;
    const connectionId = d.target.connection;
    if (connectionId) {
      if (!deps.connections) {
        await deadLetter(job, targetId, 'permanent-failure', { kind: 'config', message: `the target names connection "${connectionId}", and this process has no connection store` });
      }
      try {
        connection = await deps.connections!.open(connectionId);
      } catch (err) {
        await deadLetter(job, targetId, 'permanent-failure', { kind: 'config', message: `connection "${connectionId}" cannot be opened: ${(err as Error).message}` });
      }
    }
    let signingKey: Buffer | undefined;
    const signing = d.delivery.signing;
    if (signing) {
      const secret = await signingSecret(signing).catch((err: unknown) => (err as Error));
      if (typeof secret !== 'string') await deadLetter(job, targetId, 'permanent-failure', { kind: 'config', message: `the signing secret cannot be had: ${(secret as Error).message}` });
      signingKey = standardWebhooksKey(secret as string);
    }
    const attempt = job.attemptsMade + 1;
    const started = Date.now();
    const at = new Date(started).toISOString();
    const http = createOutboundHttp(deps.http, { idempotencyKey: d.idempotencyKey, format: d.delivery.format ?? 'body', signingKey, event: d.event, body: d.body, output: d.output, transformed: d.transformed ?? true });
    try {
      const result = await connector!.send!(
        { body: d.body, output: d.output, event: d.event },
        { config: config as never, connection, idempotencyKey: d.idempotencyKey, attempt, signal, timeoutMs: d.delivery.timeoutMs, http },
      );
      const durationMs = Date.now() - started;
      await Promise.all([
        recordAttempt(d, jobId, { attempt, at, durationMs, ok: true, status: result.status, responseExcerpt: result.responseExcerpt?.slice(0, 512) }),
        deps.targets.recordSuccess(targetId, probe).then((changed) => {
          if (changed) log.info({ targetId }, 'target recovered: circuit closed, health cleared');
        }),
      ]);
      if (connectionId && unhealthyConnections.delete(connectionId)) await deps.connections!.setHealth(connectionId, 'ok', `a delivery to ${targetId} succeeded`);
      metrics.inc('flowbridge_deliveries_total', { outcome: 'delivered' });
      metrics.observe('flowbridge_delivery_latency_ms', Date.now() - d.acceptedAt);
      await finish(jobId, d, targetId);
      return;
    } catch (err) {
      if (err instanceof Finished) throw err;
      const de = asDeliveryError(err);
      const durationMs = Date.now() - started;
      await recordAttempt(d, jobId, { attempt, at, durationMs, ok: false, status: de.status, errorKind: de.kind, reason: de.reason, error: de.message, responseExcerpt: de.responseExcerpt?.slice(0, 512) });
      metrics.inc('flowbridge_delivery_attempts_failed_total', { kind: de.kind });
      // An attempt cut short by shutdown says nothing about the target.
      if (signal.aborted) throw de;
      const breaker = await deps.targets.recordFailure(targetId, d.delivery, de.reason, de.kind === 'retryable' || de.kind === 'rate_limited');
      if (breaker.state === 'open' && breaker.openUntil > Date.now()) {
        metrics.inc('flowbridge_circuit_opened_total');
        log.warn({ targetId, failures: breaker.failures, until: new Date(breaker.openUntil).toISOString() }, 'circuit open: deliveries to the target wait');
      }
      if (de.kind === 'auth') {
        await deps.targets.markUnhealthy(targetId, `${de.status ?? ''} ${de.reason}`.trim());
        if (connectionId) {
          unhealthyConnections.add(connectionId);
          await deps.connections!.setHealth(connectionId, 'unhealthy', `${targetId} answered ${de.status ?? ''}: ${de.reason}`);
        }
      }
      if (de.disableTarget) {
        await deps.targets.disable(targetId, `HTTP ${de.status ?? 410}: ${de.reason}`);
        log.warn({ targetId }, 'target disabled: it answered 410 Gone');
      }
      const lastError = { kind: de.kind, message: de.message, status: de.status, reason: de.reason, code: codeOf(de) };
      if (!de.retryable) await deadLetter(job, targetId, 'permanent-failure', lastError);
      if (attempt >= d.delivery.maxAttempts) await deadLetter(job, targetId, 'attempts-exhausted', lastError);
      // Pause the whole target, not only this job: an open circuit, or a Retry-After it asked for.
      if (breaker.state === 'open' && breaker.openUntil > Date.now()) await deps.queues.queue(targetId).rateLimit(breaker.openUntil - Date.now());
      else if (de.kind === 'rate_limited' && de.retryAfterMs) await deps.queues.queue(targetId).rateLimit(Math.min(de.retryAfterMs, d.delivery.backoffMaxMs));
      log.debug({ jobId, attempt, error: de.message }, 'delivery attempt failed; will retry');
      throw de;
    }
  };
}

/** The error code a failure is recorded with. */
function codeOf(de: DeliveryError): ErrorCode {
  if (de.reason === 'timeout') return 'ERR_DELIVERY_TIMEOUT';
  if (de.reason === 'target address not allowed') return 'ERR_DELIVERY_TARGET_REFUSED';
  if (de.status !== undefined) return 'ERR_DELIVERY_HTTP_STATUS';
  return 'ERR_DELIVERY_NETWORK';
}

export interface DeliveryWorkerOptions {
  /** For BullMQ workers: a connection without a per-request retry limit. */
  connection: Redis;
  /** Slots per target per process, when the target's policy sets no max in flight. */
  concurrency: number;
  /** Lock of an active job; a dead worker's jobs are retried once it lapses. */
  lockDurationMs: number;
}

/** A BullMQ worker on one target's queue. */
export function startTargetWorker(targetId: string, processor: ReturnType<typeof createDeliveryProcessor>, keys: Keys, options: DeliveryWorkerOptions & { concurrency: number }, log: Logger): Worker<DeliveryJobData> {
  const worker = new Worker<DeliveryJobData>(deliveryQueueName(targetId), processor, {
    connection: options.connection,
    prefix: keys.prefix,
    concurrency: options.concurrency,
    autorun: true,
    // A job whose worker died mid-attempt is retried, not failed: nothing accepted is dropped.
    maxStalledCount: 1_000_000,
    // After a Redis outage, fetch again within a second, not BullMQ's default 15 s.
    runRetryDelay: 1000,
    lockDuration: options.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(options.lockDurationMs / 2)),
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) => {
        const data = job?.data as DeliveryJobData | undefined;
        const policy = data?.delivery ?? { backoffBaseMs: 1000, backoffMaxMs: 300_000 };
        return computeBackoff(attemptsMade, policy, err instanceof DeliveryError ? err.retryAfterMs : undefined);
      },
    },
  });
  worker.on('error', (err) => log.error({ err: err.message, targetId }, 'delivery worker error'));
  return worker;
}
