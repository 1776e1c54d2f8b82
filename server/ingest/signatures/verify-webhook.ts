// Authentication of webhook requests: each configured check either passes or names why not,
// with a stable code and a message that never contains a secret, a token or a signature.
// Comparisons run in constant time over equal-length buffers; schemes with a signed
// timestamp refuse requests outside their tolerance.
//
// Standard Webhooks is implemented here rather than with the `standardwebhooks` package: the
// package reads the clock itself (no injected time), has a fixed tolerance, and decodes a
// Buffer body to a string before signing, which changes bodies that are not valid UTF-8. The
// package's signer serves as an independent oracle in the tests.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { FlowbridgeError, type ErrorCode } from '../../../flows/error-codes.ts';
import { createCidrMatcher } from './cidr.ts';
import {
  compileSignedTemplate,
  decodeSecret,
  decodeStandardWebhooksSecret,
  DEFAULT_TOLERANCE_SECONDS,
  validateWebhookAuth,
  type HmacAlgorithm,
  type HmacAuth,
  type TemplatePart,
  type TokenAuth,
  type WebhookAuth,
  type WebhookAuthKind,
} from './webhook-auth.ts';

export interface WebhookRequest {
  /** Header names in any case; Node's `IncomingMessage.headers` fits as is. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received; signatures are over these bytes. */
  rawBody: Buffer;
  query: URLSearchParams;
  /** The peer address as the socket reports it (`::ffff:10.0.0.1` on dual-stack sockets). */
  remoteAddress: string | undefined;
}

export type WebhookVerdict =
  | { ok: true }
  | { ok: false; code: ErrorCode; check: WebhookAuthKind; index: number; message: string };

/** A compiled list of checks: call it per request. */
export type WebhookVerifier = (req: WebhookRequest, now?: Date) => WebhookVerdict;

interface Failure {
  code: ErrorCode;
  message: string;
}

interface RequestContext {
  headers: Map<string, string | string[]>;
  body: Buffer;
  query: URLSearchParams;
  remoteAddress: string | undefined;
  nowSeconds: number;
}

type CompiledCheck = (ctx: RequestContext) => Failure | undefined;

// Cheap checks run first so that a flood from a wrong address costs no HMAC; the verdict of
// "all must pass" does not depend on the order.
const COST: Record<WebhookAuthKind, number> = { 'ip-allow': 0, token: 1, github: 2, stripe: 2, slack: 2, 'standard-webhooks': 2, hmac: 2 };

/**
 * Compiles checks once (at deploy): decodes secrets, parses CIDR blocks and templates.
 * Throws FlowbridgeError ERR_VALIDATION with the problems when a check is unusable.
 */
export function compileWebhookVerifier(checks: readonly WebhookAuth[]): WebhookVerifier {
  const problems = validateWebhookAuth(checks);
  if (problems.length > 0) throw new FlowbridgeError('ERR_VALIDATION', `The webhook authentication settings are unusable: ${problems[0]?.path} ${problems[0]?.message}`, problems);
  const compiled = checks
    .map((check, index) => ({ kind: check.kind, index, run: compileCheck(check) }))
    .sort((a, b) => COST[a.kind] - COST[b.kind] || a.index - b.index);
  return (req, now = new Date()) => {
    const ctx: RequestContext = {
      headers: normalizeHeaders(req.headers),
      body: req.rawBody,
      query: req.query,
      remoteAddress: req.remoteAddress,
      nowSeconds: Math.floor(now.getTime() / 1000),
    };
    for (const check of compiled) {
      const failure = check.run(ctx);
      if (failure) return { ok: false, check: check.kind, index: check.index, ...failure };
    }
    return { ok: true };
  };
}

/**
 * Checks one request against a list of checks (all must pass; an empty list passes). Returns
 * ok, or the first failed check with a stable code and a secret-free message. Unusable
 * settings fail closed with ERR_INGEST_AUTH_CONFIG. Prefer compileWebhookVerifier per source.
 */
export function verifyWebhook(checks: readonly WebhookAuth[], req: WebhookRequest, now?: Date): WebhookVerdict {
  for (const [index, check] of checks.entries()) {
    const [problem] = validateWebhookAuth([check]);
    if (problem) {
      const where = problem.path.replace(/^\[0\]\.?/, '');
      return {
        ok: false,
        code: 'ERR_INGEST_AUTH_CONFIG',
        check: check.kind,
        index,
        message: `the ${String(check.kind)} check is misconfigured: ${where ? `${where} ` : ''}${problem.message}`,
      };
    }
  }
  return compileWebhookVerifier(checks)(req, now);
}

function compileCheck(check: WebhookAuth): CompiledCheck {
  switch (check.kind) {
    case 'standard-webhooks':
      return compileStandardWebhooks(check.secrets.map((s) => decodeStandardWebhooksSecret(s) as Buffer), check.toleranceSeconds);
    case 'github':
      return compileGithub(check.secrets.map((s) => Buffer.from(s, 'utf8')));
    case 'stripe':
      return compileStripe(check.secrets.map((s) => Buffer.from(s, 'utf8')), check.toleranceSeconds);
    case 'slack':
      return compileSlack(check.secrets.map((s) => Buffer.from(s, 'utf8')), check.toleranceSeconds);
    case 'hmac':
      return compileHmac(check);
    case 'token':
      return compileToken(check);
    case 'ip-allow': {
      const allows = createCidrMatcher(check.cidrs);
      return (ctx) =>
        allows(ctx.remoteAddress)
          ? undefined
          : fail('ERR_INGEST_IP_DENIED', `the sender address ${ctx.remoteAddress ?? '(unknown)'} is not in the allow-list`);
    }
  }
}

function compileStandardWebhooks(keys: Buffer[], toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): CompiledCheck {
  return (ctx) => {
    const got = readHeaders(ctx, ['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    if ('code' in got) return got;
    const [id, timestamp, signatureHeader] = got.values as [string, string, string];
    if (!/^\d{1,12}$/.test(timestamp)) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'webhook-timestamp must be Unix time in whole seconds');
    // Space-separated `version,base64`; only symmetric v1 signatures are checked (v1a is Ed25519).
    const signatures: Buffer[] = [];
    for (const entry of signatureHeader.split(' ')) {
      if (!entry.startsWith('v1,')) continue;
      const decoded = decodeBase64(entry.slice(3));
      if (decoded) signatures.push(decoded);
    }
    if (signatures.length === 0) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'webhook-signature holds no v1,<base64> signature');
    const prefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
    const matched = keys.some((key) => matchesAny(hmac('sha256', key, [prefix, ctx.body]), signatures));
    if (!matched) return fail('ERR_INGEST_SIGNATURE_MISMATCH', 'no webhook-signature matches the body and any configured secret');
    return checkFreshness('webhook-timestamp', Number(timestamp), ctx.nowSeconds, toleranceSeconds);
  };
}

function compileGithub(keys: Buffer[]): CompiledCheck {
  return (ctx) => {
    const got = readHeaders(ctx, ['x-hub-signature-256']);
    if ('code' in got) {
      // The SHA-1 header alone is not enough: GitHub sends both, and SHA-1 is not checked.
      const sha1Only = ctx.headers.has('x-hub-signature') ? ' (X-Hub-Signature with SHA-1 is not accepted)' : '';
      return { ...got, message: got.message + sha1Only };
    }
    const m = /^sha256=([0-9a-fA-F]{64})$/.exec(got.values[0] as string);
    if (!m) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'X-Hub-Signature-256 must be sha256= followed by 64 hex digits');
    const signature = Buffer.from(m[1] as string, 'hex');
    const matched = keys.some((key) => matchesAny(hmac('sha256', key, [ctx.body]), [signature]));
    return matched ? undefined : fail('ERR_INGEST_SIGNATURE_MISMATCH', 'X-Hub-Signature-256 does not match the body and any configured secret');
  };
}

function compileStripe(keys: Buffer[], toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): CompiledCheck {
  return (ctx) => {
    const got = readHeaders(ctx, ['stripe-signature']);
    if ('code' in got) return got;
    let timestamp: string | undefined;
    const signatures: Buffer[] = [];
    for (const item of (got.values[0] as string).split(',')) {
      const eq = item.indexOf('=');
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 't') {
        if (timestamp !== undefined) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'Stripe-Signature has more than one t=');
        timestamp = value;
      } else if (key === 'v1' && /^[0-9a-fA-F]{64}$/.test(value)) {
        signatures.push(Buffer.from(value, 'hex'));
      }
    }
    if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'Stripe-Signature needs t=<Unix seconds>');
    if (signatures.length === 0) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'Stripe-Signature holds no v1=<64 hex digits> signature');
    const prefix = Buffer.from(`${timestamp}.`, 'utf8');
    const matched = keys.some((key) => matchesAny(hmac('sha256', key, [prefix, ctx.body]), signatures));
    if (!matched) return fail('ERR_INGEST_SIGNATURE_MISMATCH', 'no v1 signature in Stripe-Signature matches the body and any configured secret');
    return checkFreshness('the Stripe-Signature timestamp', Number(timestamp), ctx.nowSeconds, toleranceSeconds);
  };
}

function compileSlack(keys: Buffer[], toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): CompiledCheck {
  return (ctx) => {
    const got = readHeaders(ctx, ['x-slack-signature', 'x-slack-request-timestamp']);
    if ('code' in got) return got;
    const [signatureHeader, timestamp] = got.values as [string, string];
    const m = /^v0=([0-9a-fA-F]{64})$/.exec(signatureHeader);
    if (!m) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'X-Slack-Signature must be v0= followed by 64 hex digits');
    if (!/^\d{1,12}$/.test(timestamp)) return fail('ERR_INGEST_SIGNATURE_MALFORMED', 'X-Slack-Request-Timestamp must be Unix time in whole seconds');
    const signature = Buffer.from(m[1] as string, 'hex');
    const prefix = Buffer.from(`v0:${timestamp}:`, 'utf8');
    const matched = keys.some((key) => matchesAny(hmac('sha256', key, [prefix, ctx.body]), [signature]));
    if (!matched) return fail('ERR_INGEST_SIGNATURE_MISMATCH', 'X-Slack-Signature does not match the body and any configured secret');
    return checkFreshness('X-Slack-Request-Timestamp', Number(timestamp), ctx.nowSeconds, toleranceSeconds);
  };
}

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

function compileHmac(check: HmacAuth): CompiledCheck {
  const keys = check.secrets.map((s) => decodeSecret(s, check.secretEncoding ?? 'utf8') as Buffer);
  const parts: TemplatePart[] = check.signed === 'body' ? [{ body: true }] : compileSignedTemplate(check.signed.template).parts;
  const header = check.header.toLowerCase();
  const prefix = check.prefix ?? '';
  const digestBytes = DIGEST_BYTES[check.algorithm];
  return (ctx) => {
    const got = readHeaders(ctx, [header]);
    if ('code' in got) return got;
    const value = (got.values[0] as string).trim();
    if (!value.startsWith(prefix)) return fail('ERR_INGEST_SIGNATURE_MALFORMED', `${check.header} must start with ${JSON.stringify(prefix)}`);
    const encoded = value.slice(prefix.length);
    const signature = check.encoding === 'hex' ? decodeHex(encoded) : decodeBase64(encoded);
    if (!signature || signature.length !== digestBytes) {
      return fail('ERR_INGEST_SIGNATURE_MALFORMED', `${check.header} must hold a ${check.encoding} ${check.algorithm} HMAC (${digestBytes} bytes)`);
    }
    let timestamp: number | undefined;
    if (check.timestamp) {
      const ts = readHeaders(ctx, [check.timestamp.header.toLowerCase()]);
      if ('code' in ts) return ts;
      if (!/^\d{1,12}$/.test(ts.values[0] as string)) return fail('ERR_INGEST_SIGNATURE_MALFORMED', `${check.timestamp.header} must be Unix time in whole seconds`);
      timestamp = Number(ts.values[0]);
    }
    const signed = renderSigned(parts, ctx);
    if ('code' in signed) return signed;
    const matched = keys.some((key) => matchesAny(hmac(check.algorithm, key, signed.chunks), [signature]));
    if (!matched) return fail('ERR_INGEST_SIGNATURE_MISMATCH', `${check.header} does not match the signed content and any configured secret`);
    if (timestamp === undefined || !check.timestamp) return undefined;
    return checkFreshness(check.timestamp.header, timestamp, ctx.nowSeconds, check.timestamp.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  };
}

function renderSigned(parts: TemplatePart[], ctx: RequestContext): { chunks: Buffer[] } | Failure {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('text' in part) chunks.push(part.text);
    else if ('body' in part) chunks.push(ctx.body);
    else if ('header' in part) {
      const got = readHeaders(ctx, [part.header]);
      if ('code' in got) return got;
      // Node hands header bytes over as Latin-1; this restores the bytes the sender signed.
      chunks.push(Buffer.from(got.values[0] as string, 'latin1'));
    } else {
      const value = ctx.query.get(part.query);
      if (value === null) return fail('ERR_INGEST_SIGNATURE_MISSING', `the query parameter ${JSON.stringify(part.query)} that the signature covers is missing`);
      chunks.push(Buffer.from(value, 'utf8'));
    }
  }
  return { chunks };
}

function compileToken(check: TokenAuth): CompiledCheck {
  // Comparing digests makes every comparison the same length, so neither a token's length nor
  // how much of it matched shows in the timing.
  const digests = check.tokens.map((token) => sha256(Buffer.from(token, 'utf8')));
  const where = check.in === 'header' ? `header ${check.name}` : `query parameter ${JSON.stringify(check.name)}`;
  const prefix = check.prefix ?? '';
  return (ctx) => {
    let presented: string | undefined;
    if (check.in === 'header') {
      const value = ctx.headers.get(check.name.toLowerCase());
      if (Array.isArray(value)) return fail('ERR_INGEST_TOKEN', `the ${where} was sent more than once`);
      presented = value;
    } else {
      const values = ctx.query.getAll(check.name);
      if (values.length > 1) return fail('ERR_INGEST_TOKEN', `the ${where} was sent more than once`);
      presented = values[0];
    }
    if (presented === undefined || presented === '') return fail('ERR_INGEST_TOKEN', `the ${where} with the shared token is missing`);
    const candidate = presented.startsWith(prefix) ? presented.slice(prefix.length) : undefined;
    const digest = sha256(Buffer.from(candidate ?? '', check.in === 'header' ? 'latin1' : 'utf8'));
    // Every token is compared, matched or not, so timing does not reveal which one matched.
    let matched = false;
    for (const expected of digests) matched = timingSafeEqual(digest, expected) || matched;
    return matched && candidate !== undefined ? undefined : fail('ERR_INGEST_TOKEN', `the token in the ${where} does not match`);
  };
}

function normalizeHeaders(headers: WebhookRequest['headers']): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const prior = out.get(key);
    out.set(key, prior === undefined ? value : [prior, value].flat());
  }
  return out;
}

// Reads single-valued headers; a missing one is MISSING, a repeated one MALFORMED.
function readHeaders(ctx: RequestContext, names: string[]): { values: string[] } | Failure {
  const missing = names.filter((name) => {
    const value = ctx.headers.get(name);
    return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  });
  if (missing.length > 0) return fail('ERR_INGEST_SIGNATURE_MISSING', `the ${plural(missing, 'header')} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
  const values: string[] = [];
  for (const name of names) {
    const value = ctx.headers.get(name);
    if (typeof value !== 'string') {
      if (value?.length === 1 && value[0] !== undefined) values.push(value[0]);
      else return fail('ERR_INGEST_SIGNATURE_MALFORMED', `the header ${name} was sent more than once`);
    } else values.push(value);
  }
  return { values };
}

function checkFreshness(what: string, timestamp: number, nowSeconds: number, toleranceSeconds: number): Failure | undefined {
  const skew = nowSeconds - timestamp;
  if (Math.abs(skew) <= toleranceSeconds) return undefined;
  const how = skew > 0 ? `${skew} seconds old` : `${-skew} seconds in the future`;
  return fail('ERR_INGEST_SIGNATURE_STALE', `${what} is ${how}; the tolerance is ${toleranceSeconds} seconds`);
}

function hmac(algorithm: HmacAlgorithm, key: Buffer, chunks: Buffer[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const chunk of chunks) mac.update(chunk);
  return mac.digest();
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

// Constant time for equal lengths; a length difference is not secret (every MAC of one
// algorithm has the same length).
function matchesAny(expected: Buffer, presented: Buffer[]): boolean {
  let matched = false;
  for (const signature of presented) {
    if (signature.length === expected.length && timingSafeEqual(signature, expected)) matched = true;
  }
  return matched;
}

function decodeHex(text: string): Buffer | undefined {
  return /^(?:[0-9A-Fa-f]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

// Standard or URL-safe alphabet, padding optional: providers differ.
function decodeBase64(text: string): Buffer | undefined {
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function fail(code: ErrorCode, message: string): Failure {
  return { code, message };
}

function plural(items: string[], noun: string): string {
  return items.length > 1 ? `${noun}s` : noun;
}
