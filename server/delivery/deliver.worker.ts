import { UnrecoverableError, Worker, type Job, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryError } from '../../connectors/spi/failure.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import { QUEUE_NAMES, type Keys } from '../redis/keys.ts';
import type { ConnectorRegistry } from '../runtime/connector-registry.ts';
import type { DeadLetter, DeadLetterReason, DeadLetterStore } from '../store/dead-letter-store.ts';
import { pushTrace, type EventStore, type TraceEntry } from '../store/event-store.ts';
import { computeBackoff, type DeliveryAttempt, type DeliveryJobData } from './delivery-job.ts';
import { hasSealed, openConfigSecrets, type SecretKeys } from '../secrets/config-secrets.ts';
import { nodeSecretAad } from '../secrets/flow-secrets.ts';

export interface DeliveryWorkerDeps {
  connection: Redis;
  redis: Redis;
  keys: Keys;
  connectors: ConnectorRegistry;
  deadLetters: DeadLetterStore;
  events: EventStore;
  http: HttpClient;
  log: Logger;
  metrics: Metrics;
  concurrency: number;
  retentionSeconds: number;
  /** Lock of an active job; a dead worker's jobs are retried once it lapses. */
  lockDurationMs: number;
  /** Opens the sealed (writeOnly) values of target configs just before a send. */
  secretKeys: SecretKeys;
}

function asDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  // A connector that throws something unclassified gets the benefit of the doubt: retry.
  return new DeliveryError(err instanceof Error ? err.message : String(err), { kind: 'retryable', reason: 'unclassified connector error' });
}

/**
 * Runs deliveries: one connector call per attempt, every attempt in the event's trace,
 * retries by the delivery policy, and a dead letter when the attempts are spent or the
 * failure is permanent. A dead letter is written before the job is failed, so a crash in
 * between repeats the attempt rather than losing the record.
 */
export function startDeliveryWorker(deps: DeliveryWorkerDeps): Worker<DeliveryJobData> {
  const { keys, log, metrics } = deps;
  const abort = new AbortController();

  const recordAttempt = async (d: DeliveryJobData, jobId: string, attempt: DeliveryAttempt): Promise<void> => {
    const entry: TraceEntry = { t: Date.now(), kind: 'attempt', ruleId: d.ruleId, flowId: d.flowId, deliveryId: jobId, ...attempt };
    // The router set the trace's expiry; an attempt only appends (one command, not two).
    await deps.redis.rpush(keys.trace(d.bus, d.streamId), JSON.stringify(entry));
  };

  const deadLetter = async (job: Job<DeliveryJobData>, reason: DeadLetterReason, error: DeadLetter['lastError']): Promise<void> => {
    const d = job.data;
    const trace = await deps.events.trace(d.bus, d.streamId);
    const attempts = trace
      .filter((e) => e.kind === 'attempt' && e.ruleId === d.ruleId)
      .map(({ t: _t, kind: _k, ruleId: _r, flowId: _f, deliveryId: _d, ...a }) => a as unknown as DeliveryAttempt);
    const dl: DeadLetter = { id: job.id!, createdAt: new Date().toISOString(), reason, lastError: error, attempts, delivery: d };
    const multi = deps.redis.multi();
    deps.deadLetters.queuePut(multi, dl);
    pushTrace(multi, keys, d.bus, d.streamId, [{ t: Date.now(), kind: 'dead-lettered', ruleId: d.ruleId, flowId: d.flowId, deliveryId: job.id!, reason, error: error.message }], deps.retentionSeconds);
    await multi.exec();
    metrics.inc('flowbridge_dead_letters_total', { reason });
    log.warn({ deadLetterId: dl.id, flowId: d.flowId, ruleId: d.ruleId, reason, error: error.message }, 'delivery dead-lettered');
  };

  const processor = async (job: Job<DeliveryJobData>): Promise<void> => {
    const d = job.data;
    const attempt = job.attemptsMade + 1;
    const ageMs = Date.now() - d.acceptedAt;
    if (ageMs > d.delivery.maxEventAgeSeconds * 1000) {
      await deadLetter(job, 'event-too-old', { kind: 'permanent', message: `the event is ${Math.round(ageMs / 1000)} s old; the policy allows ${d.delivery.maxEventAgeSeconds} s` });
      throw new UnrecoverableError('event too old');
    }
    // A job retried because its worker died may have been delivered already: the trace knows.
    if (job.stalledCounter > 0) {
      const trace = await deps.events.trace(d.bus, d.streamId);
      if (trace.some((e) => e.kind === 'attempt' && e.deliveryId === job.id && e.ok === true)) {
        log.info({ jobId: job.id }, 'delivery was already made before its worker stopped; not sending it again');
        return;
      }
    }
    const connector = deps.connectors.forNodeType(d.target.type);
    if (!connector?.send) {
      await deadLetter(job, 'permanent-failure', { kind: 'config', message: `no connector for target type "${d.target.type}" in this process` });
      throw new UnrecoverableError('no connector');
    }
    let config: unknown = d.target.config;
    if (hasSealed(config)) {
      try {
        config = openConfigSecrets(config, deps.secretKeys, nodeSecretAad(d.flowId, d.target.nodeId));
      } catch (err) {
        await deadLetter(job, 'permanent-failure', { kind: 'config', message: `a secret of the target's config cannot be opened: ${(err as Error).message}` });
        throw new UnrecoverableError('secret cannot be opened');
      }
    }
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      const result = await connector.send(
        { body: d.body, output: d.output, event: d.event },
        { config: config as never, connection: undefined, idempotencyKey: d.idempotencyKey, attempt, signal: abort.signal, timeoutMs: d.delivery.timeoutMs, http: deps.http },
      );
      const durationMs = Date.now() - started;
      await recordAttempt(d, job.id!, { attempt, at, durationMs, ok: true, status: result.status, responseExcerpt: result.responseExcerpt?.slice(0, 512) });
      metrics.inc('flowbridge_deliveries_total', { outcome: 'delivered' });
      metrics.observe('flowbridge_delivery_latency_ms', Date.now() - d.acceptedAt);
    } catch (err) {
      const de = asDeliveryError(err);
      const durationMs = Date.now() - started;
      await recordAttempt(d, job.id!, { attempt, at, durationMs, ok: false, status: de.status, errorKind: de.kind, error: de.message, responseExcerpt: de.responseExcerpt?.slice(0, 512) });
      metrics.inc('flowbridge_delivery_attempts_failed_total', { kind: de.kind });
      const lastError = { kind: de.kind, message: de.message, status: de.status };
      if (!de.retryable) {
        await deadLetter(job, 'permanent-failure', lastError);
        throw new UnrecoverableError(de.message);
      }
      if (attempt >= d.delivery.maxAttempts) {
        await deadLetter(job, 'attempts-exhausted', lastError);
        throw new UnrecoverableError(de.message);
      }
      log.debug({ jobId: job.id, attempt, error: de.message }, 'delivery attempt failed; will retry');
      throw de;
    }
  };

  const worker = new Worker<DeliveryJobData>(QUEUE_NAMES.deliveries, processor, {
    connection: deps.connection,
    prefix: keys.prefix,
    concurrency: deps.concurrency,
    autorun: true,
    // A job whose worker died mid-attempt is retried, not failed: nothing accepted is dropped.
    maxStalledCount: 1_000_000,
    lockDuration: deps.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(deps.lockDurationMs / 2)),
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) => {
        const data = job?.data as DeliveryJobData | undefined;
        const policy = data?.delivery ?? { backoffBaseMs: 1000, backoffMaxMs: 300_000 };
        return computeBackoff(attemptsMade, policy, err instanceof DeliveryError ? err.retryAfterMs : undefined);
      },
    },
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'delivery worker error'));
  const close = worker.close.bind(worker);
  worker.close = async (force?: boolean) => {
    if (force) abort.abort();
    await close(force);
  };
  return worker;
}
