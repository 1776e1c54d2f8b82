// computeBackoff (full jitter, cap, Retry-After), and the ids that keep deliveries from
// being made twice: deliveryJobId and idempotencyKeyFor.

import { describe, expect, it } from 'vitest';
import { computeBackoff, deliveryJobId, idempotencyKeyFor } from './delivery-job.ts';

const policy = { backoffBaseMs: 1000, backoffMaxMs: 300_000 };
const fixed = (r: number) => () => r;
/** Just below 1: Math.random never returns 1 itself. */
const TOP = 1 - Number.EPSILON;

describe('computeBackoff', () => {
  // Retry n (attemptsMade = n) waits up to base · 2^(n-1), capped at backoffMaxMs.
  const ceilings: [attemptsMade: number, ceiling: number][] = [
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [9, 256_000],
    [10, 300_000],
    [40, 300_000],
    [5000, 300_000],
  ];

  it.each(ceilings)('waits less than the ceiling after %i attempts (ceiling %i ms)', (attemptsMade, ceiling) => {
    expect(computeBackoff(attemptsMade, policy, undefined, fixed(TOP))).toBe(ceiling - 1);
  });

  it.each(ceilings)('can wait as little as 0 ms after %i attempts (full jitter)', (attemptsMade) => {
    expect(computeBackoff(attemptsMade, policy, undefined, fixed(0))).toBe(0);
  });

  it('scales the wait linearly with the random draw', () => {
    expect(computeBackoff(3, policy, undefined, fixed(0.25))).toBe(1000);
    expect(computeBackoff(3, policy, undefined, fixed(0.5))).toBe(2000);
  });

  it('stays within [0, ceiling) for many real random draws', () => {
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (i % 12);
      const wait = computeBackoff(n, policy);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(Math.min(300_000, 1000 * 2 ** (n - 1)));
      expect(Number.isInteger(wait)).toBe(true);
    }
  });

  it('treats 0 attempts like the first retry', () => {
    expect(computeBackoff(0, policy, undefined, fixed(TOP))).toBe(999);
  });

  it('returns a finite wait even when the exponent would overflow', () => {
    const wait = computeBackoff(10_000, { backoffBaseMs: 3_600_000, backoffMaxMs: 86_400_000 }, undefined, fixed(TOP));
    expect(Number.isFinite(wait)).toBe(true);
    expect(wait).toBe(86_400_000 - 1);
  });

  it('never waits longer than the cap when the base alone exceeds it', () => {
    expect(computeBackoff(1, { backoffBaseMs: 10_000, backoffMaxMs: 500 }, undefined, fixed(TOP))).toBe(499);
  });

  describe('Retry-After', () => {
    it('wins over the exponential backoff, without jitter', () => {
      expect(computeBackoff(1, policy, 45_000, fixed(0))).toBe(45_000);
      expect(computeBackoff(8, policy, 2000, fixed(TOP))).toBe(2000);
    });

    it('is capped at backoffMaxMs', () => {
      expect(computeBackoff(1, policy, 3_600_000, fixed(0))).toBe(300_000);
    });

    it('of 0 means retry at once', () => {
      expect(computeBackoff(5, policy, 0, fixed(TOP))).toBe(0);
    });

    it('never gives a negative wait', () => {
      expect(computeBackoff(1, policy, -5000, fixed(0.5))).toBe(0);
    });
  });
});

describe('deliveryJobId', () => {
  it('is the same for the same bus, stream entry and rule', () => {
    expect(deliveryJobId('default', '1700000000000-0', 'erp.0123456789ab')).toBe(deliveryJobId('default', '1700000000000-0', 'erp.0123456789ab'));
    expect(deliveryJobId('default', '1700000000000-0', 'erp.0123456789ab')).toBe('default.1700000000000-0.erp.0123456789ab');
  });

  it('differs when the bus, the entry or the rule differs', () => {
    const ids = [
      deliveryJobId('default', '1700000000000-0', 'erp.aaaaaaaaaaaa'),
      deliveryJobId('hr', '1700000000000-0', 'erp.aaaaaaaaaaaa'),
      deliveryJobId('default', '1700000000000-1', 'erp.aaaaaaaaaaaa'),
      deliveryJobId('default', '1700000000000-0', 'erp.bbbbbbbbbbbb'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('contains no ":" (BullMQ refuses custom ids with one) and is not an integer', () => {
    const id = deliveryJobId('default', '1700000000000-0', 'erp.0123456789ab');
    expect(id).not.toContain(':');
    expect(Number.isInteger(Number(id))).toBe(false);
  });
});

describe('idempotencyKeyFor', () => {
  const event = { source: '/erp', id: 'evt-1' };

  it('is stable for the same bus, event source and id, and rule', () => {
    expect(idempotencyKeyFor('default', event, 'r1')).toBe(idempotencyKeyFor('default', { ...event }, 'r1'));
  });

  it('ignores everything about the event but its source and id (so retries and redrives share it)', () => {
    const a = { ...event, time: '2026-01-01T00:00:00Z', data: { n: 1 } };
    const b = { ...event, time: '2026-06-01T00:00:00Z', data: { n: 2 } };
    expect(idempotencyKeyFor('default', a, 'r1')).toBe(idempotencyKeyFor('default', b, 'r1'));
  });

  it('is 32 URL-safe characters', () => {
    expect(idempotencyKeyFor('default', event, 'r1')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('differs per bus, source, id and rule, and does not confuse where one field ends', () => {
    const keys = [
      idempotencyKeyFor('default', event, 'r1'),
      idempotencyKeyFor('hr', event, 'r1'),
      idempotencyKeyFor('default', { ...event, source: '/crm' }, 'r1'),
      idempotencyKeyFor('default', { ...event, id: 'evt-2' }, 'r1'),
      idempotencyKeyFor('default', event, 'r2'),
      // Run together without a separator, these would read as "/erpevt-1" like `event`.
      idempotencyKeyFor('default', { source: '/erpevt', id: '-1' }, 'r1'),
      idempotencyKeyFor('defaul', { source: 't/erp', id: 'evt-1' }, 'r1'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
