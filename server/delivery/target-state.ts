import type { Redis, Result } from 'ioredis';
import type { DeliveryPolicy } from '../../flows/flow-document.ts';
import type { Keys } from '../redis/keys.ts';

// One hash per target, shared by every worker process: the circuit breaker, the health of
// its credentials (401/403) and whether it is disabled (410). Workers keep a short-lived
// copy so a healthy target costs no Redis call before a send; only a breaker that is open
// or probing, and every failure, go to Redis.

export const DEFAULT_BREAKER = { enabled: true, failureThreshold: 10, coolDownMs: 10_000 } as const;

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A target's shared state, as the API shows it. */
export interface TargetState {
  breaker: { state: BreakerState; consecutiveFailures: number; openUntil?: string; opens: number };
  health: { status: 'healthy' | 'unhealthy'; reason?: string; since?: string };
  disabled?: { reason: string; since: string };
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastFailure?: string;
}

/** What a delivery may do now. */
export type Admission =
  | { kind: 'go'; probe: boolean }
  | { kind: 'wait'; ms: number; why: 'circuit-open' | 'probe-in-flight' }
  | { kind: 'disabled'; reason: string };

// Closed: go. Open: wait until the cool-down ends; the first caller after it becomes the
// probe (half-open). Half-open: others wait until the probe reports or its lease lapses
// (a probe whose worker died must not hold the target for ever).
const ADMIT_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'disabled', 'breaker', 'openUntil', 'probeUntil', 'disabledReason')
if s[1] == '1' then return {'disabled', 0, s[5] or 'disabled'} end
local b = s[2] or 'closed'
if b == 'closed' then return {'go', 0, ''} end
local now = tonumber(ARGV[1])
if b == 'open' then
  local untilMs = tonumber(s[3] or '0')
  if now < untilMs then return {'wait', untilMs - now, 'circuit-open'} end
  redis.call('HSET', KEYS[1], 'breaker', 'half-open', 'probeUntil', now + tonumber(ARGV[2]))
  return {'probe', 0, ''}
end
local pu = tonumber(s[4] or '0')
if now >= pu then
  redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[2]))
  return {'probe', 0, ''}
end
return {'wait', math.min(pu - now, 500), 'probe-in-flight'}
`;

// A success closes the breaker and clears the consecutive failures and an auth problem.
const SUCCESS_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'breaker', 'health', 'failures')
redis.call('HSET', KEYS[1], 'failures', 0, 'lastSuccessAt', ARGV[1])
local changed = 0
if s[1] and s[1] ~= 'closed' then
  redis.call('HSET', KEYS[1], 'breaker', 'closed')
  redis.call('HDEL', KEYS[1], 'openUntil', 'probeUntil')
  changed = 1
end
if s[2] == 'unhealthy' then
  redis.call('HSET', KEYS[1], 'health', 'healthy', 'healthSince', ARGV[1])
  redis.call('HDEL', KEYS[1], 'healthReason')
  changed = 1
end
return changed
`;

// A failure that says the target is down (network, timeout, 5xx, 429) counts toward
// opening; a failed probe reopens at once.
const FAILURE_SCRIPT = `
local now = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'lastFailureAt', now, 'lastFailure', ARGV[5])
if ARGV[6] ~= '1' then return {tonumber(redis.call('HGET', KEYS[1], 'failures') or '0'), 'closed', 0} end
local n = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local b = redis.call('HGET', KEYS[1], 'breaker') or 'closed'
if ARGV[4] == '1' and (b == 'half-open' or (b == 'closed' and n >= tonumber(ARGV[2]))) then
  local untilMs = now + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'breaker', 'open', 'openUntil', untilMs, 'openedAt', now)
  redis.call('HDEL', KEYS[1], 'probeUntil')
  redis.call('HINCRBY', KEYS[1], 'opens', 1)
  return {n, 'open', untilMs}
end
return {n, b, tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    fbTargetAdmit(key: string, now: number, probeLeaseMs: number): Result<[string, number, string], Context>;
    fbTargetSuccess(key: string, now: number): Result<number, Context>;
    fbTargetFailure(key: string, now: number, threshold: number, coolDownMs: number, enabled: string, reason: string, counts: string): Result<[number, string, number], Context>;
  }
}

interface CachedState {
  breaker: BreakerState;
  failures: number;
  openUntil: number;
  disabled: string | undefined;
  unhealthy: boolean;
  fetchedAt: number;
}

/** The breaker settings of a policy, with the defaults filled in. */
export function breakerOf(policy: Pick<DeliveryPolicy, 'circuitBreaker'>): { enabled: boolean; failureThreshold: number; coolDownMs: number } {
  const b = policy.circuitBreaker ?? {};
  return { enabled: b.enabled ?? DEFAULT_BREAKER.enabled, failureThreshold: b.failureThreshold ?? DEFAULT_BREAKER.failureThreshold, coolDownMs: b.coolDownMs ?? DEFAULT_BREAKER.coolDownMs };
}

/** Targets' shared state in Redis, with a per-process cache for the common (healthy) case. */
export class TargetStates {
  private readonly cache = new Map<string, CachedState>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly cacheMs: number,
  ) {
    redis.defineCommand('fbTargetAdmit', { numberOfKeys: 1, lua: ADMIT_SCRIPT });
    redis.defineCommand('fbTargetSuccess', { numberOfKeys: 1, lua: SUCCESS_SCRIPT });
    redis.defineCommand('fbTargetFailure', { numberOfKeys: 1, lua: FAILURE_SCRIPT });
  }

  private async cached(targetId: string): Promise<CachedState> {
    const hit = this.cache.get(targetId);
    if (hit && Date.now() - hit.fetchedAt < this.cacheMs) return hit;
    const h = await this.redis.hmget(this.keys.targetState(targetId), 'breaker', 'failures', 'openUntil', 'disabled', 'disabledReason', 'health');
    const state: CachedState = {
      breaker: (h[0] as BreakerState | null) ?? 'closed',
      failures: Number(h[1] ?? 0),
      openUntil: Number(h[2] ?? 0),
      disabled: h[3] === '1' ? (h[4] ?? 'disabled') : undefined,
      unhealthy: h[5] === 'unhealthy',
      fetchedAt: Date.now(),
    };
    this.cache.set(targetId, state);
    return state;
  }

  /** Whether a delivery to the target may be sent now; `probeLeaseMs` bounds how long a probe holds a half-open breaker. */
  async admit(targetId: string, probeLeaseMs: number): Promise<Admission> {
    const c = await this.cached(targetId);
    if (c.disabled) return { kind: 'disabled', reason: c.disabled };
    if (c.breaker === 'closed') return { kind: 'go', probe: false };
    const now = Date.now();
    if (c.breaker === 'open' && now < c.openUntil) return { kind: 'wait', ms: c.openUntil - now, why: 'circuit-open' };
    const [verdict, ms, detail] = await this.redis.fbTargetAdmit(this.keys.targetState(targetId), now, probeLeaseMs);
    if (verdict === 'disabled') return { kind: 'disabled', reason: detail };
    if (verdict === 'wait') return { kind: 'wait', ms: Math.max(1, ms), why: detail as 'circuit-open' | 'probe-in-flight' };
    if (verdict === 'go') {
      c.breaker = 'closed';
      return { kind: 'go', probe: false };
    }
    return { kind: 'go', probe: true };
  }

  /** Records a success; a Redis call only when there is something to clear. */
  async recordSuccess(targetId: string, probe: boolean): Promise<boolean> {
    const c = this.cache.get(targetId);
    if (!probe && c && c.breaker === 'closed' && c.failures === 0 && !c.unhealthy) return false;
    const changed = await this.redis.fbTargetSuccess(this.keys.targetState(targetId), Date.now());
    if (c) Object.assign(c, { breaker: 'closed', failures: 0, unhealthy: false });
    return changed === 1;
  }

  /**
   * Records a failure. `countsTowardBreaker`: the failure says the target is down or
   * overloaded (not that this one event is bad). Returns the breaker's state after it.
   */
  async recordFailure(targetId: string, policy: Pick<DeliveryPolicy, 'circuitBreaker'>, reason: string, countsTowardBreaker: boolean): Promise<{ state: string; openUntil: number; failures: number }> {
    const b = breakerOf(policy);
    const [failures, state, openUntil] = await this.redis.fbTargetFailure(this.keys.targetState(targetId), Date.now(), b.failureThreshold, b.coolDownMs, b.enabled ? '1' : '0', reason.slice(0, 300), countsTowardBreaker ? '1' : '0');
    const c = this.cache.get(targetId);
    if (c) Object.assign(c, { failures, breaker: state as BreakerState, openUntil: Number(openUntil) });
    return { state, openUntil: Number(openUntil), failures };
  }

  /** Marks the target's credentials as rejected (401/403); the next success clears it. */
  async markUnhealthy(targetId: string, reason: string): Promise<void> {
    await this.redis.hset(this.keys.targetState(targetId), 'health', 'unhealthy', 'healthReason', reason.slice(0, 300), 'healthSince', Date.now());
    const c = this.cache.get(targetId);
    if (c) c.unhealthy = true;
  }

  /** Disables the target (410 Gone): its deliveries dead-letter until it is enabled again. */
  async disable(targetId: string, reason: string): Promise<void> {
    await this.redis.hset(this.keys.targetState(targetId), 'disabled', '1', 'disabledReason', reason.slice(0, 300), 'disabledAt', Date.now());
    const c = this.cache.get(targetId);
    if (c) c.disabled = reason;
  }

  async enable(targetId: string): Promise<void> {
    await this.redis.hdel(this.keys.targetState(targetId), 'disabled', 'disabledReason', 'disabledAt');
    this.cache.delete(targetId);
  }

  /** Closes the breaker now (an operator knows the target is back). */
  async resetBreaker(targetId: string): Promise<void> {
    await this.redis.multi().hset(this.keys.targetState(targetId), 'breaker', 'closed', 'failures', 0).hdel(this.keys.targetState(targetId), 'openUntil', 'probeUntil').exec();
    this.cache.delete(targetId);
  }

  /** The state as the API shows it. */
  async read(targetId: string): Promise<TargetState> {
    const h = await this.redis.hgetall(this.keys.targetState(targetId));
    const iso = (v: string | undefined) => (v ? new Date(Number(v)).toISOString() : undefined);
    return {
      breaker: { state: (h.breaker as BreakerState | undefined) ?? 'closed', consecutiveFailures: Number(h.failures ?? 0), openUntil: h.breaker === 'open' ? iso(h.openUntil) : undefined, opens: Number(h.opens ?? 0) },
      health: { status: h.health === 'unhealthy' ? 'unhealthy' : 'healthy', reason: h.healthReason, since: iso(h.healthSince) },
      disabled: h.disabled === '1' ? { reason: h.disabledReason ?? 'disabled', since: iso(h.disabledAt) ?? '' } : undefined,
      lastSuccessAt: iso(h.lastSuccessAt),
      lastFailureAt: iso(h.lastFailureAt),
      lastFailure: h.lastFailure,
    };
  }
}
