// A small failure taxonomy with an explicit retry meaning. Every failed delivery attempt
// is one of these kinds, and the kind alone decides what happens next.

/**
 * - `retryable`: try again after the backoff (network errors, timeouts, 5xx, 408, 425).
 * - `rate_limited`: try again, not before `retryAfterMs` when the target said so (429).
 * - `auth`: credentials rejected (401/403); stop, and mark the connection unhealthy.
 * - `permanent`: the same request will fail again (other 4xx); stop at once.
 * - `config`: our side is wrong (bad URL, refused address, missing secret); stop at once.
 */
export type FailureKind = 'retryable' | 'rate_limited' | 'auth' | 'permanent' | 'config';

export interface FailureInfo {
  kind: FailureKind;
  /** Why this kind, in a few words (shown in traces and dead letters). */
  reason: string;
  /** The target should be disabled (410 Gone). */
  disableTarget?: boolean;
}

/** A failed attempt, classified. Thrown by connectors and the HTTP client. */
export class DeliveryError extends Error {
  readonly kind: FailureKind;
  readonly reason: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly responseExcerpt: string | undefined;
  readonly disableTarget: boolean;

  constructor(
    message: string,
    info: FailureInfo & { status?: number; retryAfterMs?: number; responseExcerpt?: string },
  ) {
    super(message);
    this.name = 'DeliveryError';
    this.kind = info.kind;
    this.reason = info.reason;
    this.status = info.status;
    this.retryAfterMs = info.retryAfterMs;
    this.responseExcerpt = info.responseExcerpt;
    this.disableTarget = info.disableTarget ?? false;
  }

  /** Whether another attempt may succeed. */
  get retryable(): boolean {
    return this.kind === 'retryable' || this.kind === 'rate_limited';
  }
}

// One row per status with its reason; statuses not listed fall back by class below.
const STATUS_TABLE: Readonly<Record<number, FailureInfo>> = {
  400: { kind: 'permanent', reason: 'bad request: the same request will fail again' },
  401: { kind: 'auth', reason: 'unauthorized: credentials missing or rejected' },
  403: { kind: 'auth', reason: 'forbidden: credentials lack permission' },
  404: { kind: 'permanent', reason: 'not found: the target URL or resource does not exist' },
  405: { kind: 'permanent', reason: 'method not allowed' },
  408: { kind: 'retryable', reason: 'request timeout at the target' },
  409: { kind: 'permanent', reason: 'conflict with the target\'s state' },
  410: { kind: 'permanent', reason: 'gone: the target no longer exists', disableTarget: true },
  413: { kind: 'permanent', reason: 'payload too large for the target' },
  415: { kind: 'permanent', reason: 'unsupported media type' },
  422: { kind: 'permanent', reason: 'unprocessable: the target rejected the content' },
  425: { kind: 'retryable', reason: 'too early: the target asks to retry' },
  429: { kind: 'rate_limited', reason: 'too many requests: rate limited by the target' },
  500: { kind: 'retryable', reason: 'internal error at the target' },
  501: { kind: 'permanent', reason: 'not implemented by the target' },
  502: { kind: 'retryable', reason: 'bad gateway in front of the target' },
  503: { kind: 'retryable', reason: 'target unavailable' },
  504: { kind: 'retryable', reason: 'gateway timeout in front of the target' },
  505: { kind: 'permanent', reason: 'HTTP version not supported' },
};

/** Classifies a non-2xx HTTP status: a listed row, else 5xx retryable, 3xx and 4xx permanent. */
export function classifyHttpStatus(status: number): FailureInfo {
  const row = STATUS_TABLE[status];
  if (row) return row;
  if (status >= 500) return { kind: 'retryable', reason: `server error ${status} at the target` };
  if (status >= 400) return { kind: 'permanent', reason: `client error ${status}: the same request will fail again` };
  if (status >= 300) return { kind: 'permanent', reason: `redirect ${status} not followed` };
  return { kind: 'permanent', reason: `unexpected status ${status}` };
}

const HTTP_DATE = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/** Parses a Retry-After header (delta seconds or HTTP date) into milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only the three HTTP-date forms (IMF-fixdate, RFC 850, asctime); Date.parse alone takes "1.5" or "-5" for dates.
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
