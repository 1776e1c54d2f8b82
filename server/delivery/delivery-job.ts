import { createHash } from 'node:crypto';
import type { DeliveryPolicy } from '../../flows/flow-document.ts';
import type { RuleDefinition } from '../../flows/flow.compiler.ts';
import type { StoredEvent } from '../store/event-store.ts';

/** Everything a delivery worker needs, captured when the router matched the event. */
export interface DeliveryJobData {
  bus: string;
  streamId: string;
  event: StoredEvent;
  acceptedAt: number;
  ruleId: string;
  ruleName: string;
  flowId: string;
  flowVersion: number;
  target: RuleDefinition['target'];
  delivery: DeliveryPolicy;
  body: unknown;
  output: 'json' | 'text';
  idempotencyKey: string;
  /** How many times a dead letter of this delivery was redriven. */
  redrive: number;
}

/** One attempt, as traces and dead letters show it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  ok: boolean;
  status?: number;
  errorKind?: string;
  error?: string;
  responseExcerpt?: string;
}

/**
 * The delivery's job id: the same (event, rule) always gives the same id, so a router that
 * routes an event twice (after a crash) cannot create a second delivery.
 */
export function deliveryJobId(bus: string, streamId: string, ruleId: string): string {
  return `${bus}.${streamId}.${ruleId}`;
}

/** The Idempotency-Key targets receive: stable for (bus, event source + id, rule), across retries and redrives. */
export function idempotencyKeyFor(bus: string, event: { source: string; id: string }, ruleId: string): string {
  return createHash('sha256').update(`${bus}\u0000${event.source}\u0000${event.id}\u0000${ruleId}`).digest('base64url').slice(0, 32);
}

/**
 * Delay before retry number `attemptsMade` (1 after the first failure): exponential with
 * full jitter, capped; a target's Retry-After wins when given (also capped).
 */
export function computeBackoff(attemptsMade: number, policy: Pick<DeliveryPolicy, 'backoffBaseMs' | 'backoffMaxMs'>, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.backoffMaxMs);
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(30, Math.max(0, attemptsMade - 1)));
  return Math.floor(random() * ceiling);
}
