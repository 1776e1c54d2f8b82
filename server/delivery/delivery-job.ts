import { hash } from 'node:crypto';
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
  /** Whether a transform made `body` (otherwise it is the event itself). */
  transformed?: boolean;
  idempotencyKey: string;
  /** How many times a dead letter of this delivery was redriven. */
  redrive: number;
  /** The target's id (`flowId.nodeId`): its queue, rate limit, breaker and health. Absent on jobs made before targets had queues. */
  targetId?: string;
  /** Set when the policy names an ordering key and the event has a value for it. */
  ordering?: { key: string; keyHash: string };
  /** A dead-letter alert: its own dead letter raises no alert. */
  alert?: boolean;
}

/** One attempt, as traces and dead letters show it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  ok: boolean;
  status?: number;
  /** The error class: retryable, rate_limited, auth, permanent or config. */
  errorKind?: string;
  /** Why that class, in a few words (the classification table's reason). */
  reason?: string;
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
  return hash('sha256', `${bus}\u0000${event.source}\u0000${event.id}\u0000${ruleId}`, 'base64url').slice(0, 32);
}

/** The id of a rule's target: the flow and the target node, stable across redeploys. */
export function targetIdOf(flowId: string, targetNodeId: string): string {
  return `${flowId}.${targetNodeId}`;
}

/**
 * Delay before retry number `attemptsMade` (1 after the first failure). Exponential: the
 * ceiling doubles from the base up to the cap, and full jitter draws the delay from
 * [0, ceiling) (no jitter waits the ceiling). Fixed: a draw between base and max. A
 * target's Retry-After wins when given, capped at the max.
 */
export function computeBackoff(
  attemptsMade: number,
  policy: Pick<DeliveryPolicy, 'backoffBaseMs' | 'backoffMaxMs'> & Partial<Pick<DeliveryPolicy, 'backoff' | 'jitter'>>,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.backoffMaxMs);
  if (policy.backoff === 'fixed') {
    const low = Math.min(policy.backoffBaseMs, policy.backoffMaxMs);
    return low + Math.floor(random() * (policy.backoffMaxMs - low));
  }
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(30, Math.max(0, attemptsMade - 1)));
  return policy.jitter === 'none' ? ceiling : Math.floor(random() * ceiling);
}
