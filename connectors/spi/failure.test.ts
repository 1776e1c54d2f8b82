// classifyHttpStatus (one row per listed status, then the class fallbacks) and
// parseRetryAfter (delta seconds, HTTP dates, garbage).

import { describe, expect, it } from 'vitest';
import { classifyHttpStatus, DeliveryError, parseRetryAfter, type FailureKind } from './failure.ts';

describe('classifyHttpStatus', () => {
  const listed: [status: number, kind: FailureKind, reason: RegExp][] = [
    [400, 'permanent', /^bad request/],
    [401, 'auth', /^unauthorized/],
    [403, 'auth', /^forbidden/],
    [404, 'permanent', /^not found/],
    [405, 'permanent', /^method not allowed/],
    [408, 'retryable', /^request timeout/],
    [409, 'permanent', /^conflict/],
    [410, 'permanent', /^gone/],
    [413, 'permanent', /^payload too large/],
    [415, 'permanent', /^unsupported media type/],
    [422, 'permanent', /^unprocessable/],
    [425, 'retryable', /^too early/],
    [429, 'rate_limited', /^too many requests/],
    [500, 'retryable', /^internal error/],
    [501, 'permanent', /^not implemented/],
    [502, 'retryable', /^bad gateway/],
    [503, 'retryable', /^target unavailable/],
    [504, 'retryable', /^gateway timeout/],
    [505, 'permanent', /^HTTP version not supported/],
  ];
  it.each(listed)('classifies %i as %s with its own reason', (status, kind, reason) => {
    const info = classifyHttpStatus(status);
    expect(info.kind).toBe(kind);
    expect(info.reason).toMatch(reason);
  });

  it('asks to disable the target on 410 Gone, and on no other listed status', () => {
    expect(classifyHttpStatus(410).disableTarget).toBe(true);
    for (const [status] of listed.filter(([s]) => s !== 410)) expect(classifyHttpStatus(status).disableTarget ?? false).toBe(false);
  });

  const fallbacks: [status: number, kind: FailureKind, reason: string][] = [
    [507, 'retryable', 'server error 507 at the target'],
    [520, 'retryable', 'server error 520 at the target'],
    [599, 'retryable', 'server error 599 at the target'],
    [402, 'permanent', 'client error 402: the same request will fail again'],
    [418, 'permanent', 'client error 418: the same request will fail again'],
    [451, 'permanent', 'client error 451: the same request will fail again'],
    [499, 'permanent', 'client error 499: the same request will fail again'],
    [301, 'permanent', 'redirect 301 not followed'],
    [307, 'permanent', 'redirect 307 not followed'],
    [399, 'permanent', 'redirect 399 not followed'],
    [204, 'permanent', 'unexpected status 204'],
    [100, 'permanent', 'unexpected status 100'],
  ];
  it.each(fallbacks)('falls back by class for the unlisted %i: %s', (status, kind, reason) => {
    expect(classifyHttpStatus(status)).toEqual({ kind, reason });
  });

  it('makes exactly the retryable and rate-limited kinds retryable on a DeliveryError', () => {
    const retryable = (status: number) => new DeliveryError('x', { ...classifyHttpStatus(status), status }).retryable;
    expect([408, 425, 429, 500, 502, 503, 504, 507].map(retryable)).toEqual(Array(8).fill(true));
    expect([400, 401, 403, 404, 410, 422, 501, 301].map(retryable)).toEqual(Array(8).fill(false));
    expect(new DeliveryError('bad url', { kind: 'config', reason: 'x' }).retryable).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  const valid: [value: string, ms: number][] = [
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    [' 30 ', 30_000],
    ['007', 7000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Thu, 01 Jan 2026 01:00:00 GMT', 3_600_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['Thursday, 01-Jan-26 00:00:10 GMT', 10_000],
  ];
  it.each(valid)('reads %j as %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, null, '', '   ', 'soon', 'later please', '0x10', '12abc'])('gives undefined for the absent or unreadable %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  // Bug: anything that is not all digits goes to Date.parse, whose legacy parser accepts
  // strings that are no HTTP date at all. A target sending "1.5" or "-5" gets a wait of 0,
  // which computeBackoff then prefers over the exponential backoff: immediate retries
  // that burn all attempts at once. Only IMF-fixdate / RFC 850 / asctime should be dates.
  it.each(['1.5', '-5', 'Mon 1', 'foo 12'])('gives undefined for %j, which is neither delta-seconds nor an HTTP date', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
