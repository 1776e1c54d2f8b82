import crypto from 'node:crypto';
import type { Connection, HmacConnection, OAuth2ClientCredentialsConnection } from './connection.ts';
import { DeliveryError, classifyHttpStatus, parseRetryAfter, type FailureInfo } from './failure.ts';
import { ensureOk, type HttpClient, type HttpRequest, type HttpResponse } from './http-client.ts';

// Applies a decrypted connection to an outgoing request. OAuth2 tokens are cached per
// process (a cache, not state: any process can fetch its own token), shared by every
// request with the same client, and fetched once even when many requests need it at once.

export interface AccessToken {
  value: string;
  /** Usually "Bearer". */
  type: string;
  /** Epoch ms after which the token is not used any more (already shortened by a safety margin). */
  expiresAt: number;
}

export interface TokenCache {
  get(key: string): AccessToken | undefined;
  set(key: string, token: AccessToken): void;
  delete(key: string): void;
}

/** An in-memory token cache holding at most `maxEntries` tokens (oldest dropped first). */
export function createTokenCache(maxEntries = 1000): TokenCache {
  const map = new Map<string, AccessToken>();
  return {
    get: (key) => map.get(key),
    set(key, token) {
      map.delete(key);
      map.set(key, token);
      while (map.size > maxEntries) map.delete(map.keys().next().value!);
    },
    delete: (key) => void map.delete(key),
  };
}

/** The process-wide token cache used when a context brings none. */
export const sharedTokenCache: TokenCache = createTokenCache();

export interface AuthOptions {
  http: HttpClient;
  tokens?: TokenCache;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Ignore a cached OAuth2 token and fetch a new one (after a 401). */
  forceRefresh?: boolean;
}

// Tokens are treated as expired this long before the server says, so a token does not
// expire between being read here and reaching the target.
const EXPIRY_MARGIN_MS = 30_000;
const inFlight = new Map<string, Promise<AccessToken>>();

function tokenKey(c: OAuth2ClientCredentialsConnection): string {
  return crypto.createHash('sha256').update(JSON.stringify([c.tokenUrl, c.clientId, c.clientSecret, c.scope ?? '', c.audience ?? ''])).digest('hex');
}

function tokenEndpointFailure(res: HttpResponse): DeliveryError {
  // The token endpoint answers 400 invalid_client / invalid_grant for bad credentials:
  // that is an auth failure of the connection, not a bad event.
  let info: FailureInfo = classifyHttpStatus(res.status);
  if (res.status === 400 || res.status === 401 || res.status === 403) info = { kind: 'auth', reason: 'the token endpoint rejected the client credentials' };
  const retryAfterMs = info.kind === 'rate_limited' || info.kind === 'retryable' ? parseRetryAfter(res.headers['retry-after']) : undefined;
  return new DeliveryError(`OAuth2 token request failed with HTTP ${res.status}: ${info.reason}`, { ...info, status: res.status, responseExcerpt: res.excerpt, retryAfterMs });
}

/** Fetches a token with the client credentials grant (RFC 6749 §4.4); throws a classified DeliveryError. */
export async function fetchClientCredentialsToken(c: OAuth2ClientCredentialsConnection, options: AuthOptions): Promise<AccessToken> {
  const now = options.now ?? Date.now;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (c.scope) form.set('scope', c.scope);
  if (c.audience) form.set('audience', c.audience);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if ((c.clientAuth ?? 'basic') === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-encoded before being joined.
    const id = encodeURIComponent(c.clientId);
    const secret = encodeURIComponent(c.clientSecret);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  } else {
    form.set('client_id', c.clientId);
    form.set('client_secret', c.clientSecret);
  }
  const res = await options.http.request({ method: 'POST', url: c.tokenUrl, headers, body: form.toString(), signal: options.signal, timeoutMs: options.timeoutMs });
  if (res.status < 200 || res.status >= 300) throw tokenEndpointFailure(res);
  let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch {
    throw new DeliveryError('the OAuth2 token endpoint did not answer JSON', { kind: 'retryable', reason: 'unreadable token response', status: res.status, responseExcerpt: res.excerpt });
  }
  if (typeof parsed.access_token !== 'string' || !parsed.access_token) {
    throw new DeliveryError('the OAuth2 token response has no access_token', { kind: 'auth', reason: 'no access token issued', status: res.status });
  }
  const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in ?? 3600) || 3600;
  const type = typeof parsed.token_type === 'string' && parsed.token_type ? parsed.token_type : 'Bearer';
  return { value: parsed.access_token, type: /^bearer$/i.test(type) ? 'Bearer' : type, expiresAt: now() + Math.max(0, expiresIn * 1000 - EXPIRY_MARGIN_MS) };
}

/** A valid token for the connection: from the cache while unexpired, else fetched (one fetch per client at a time). */
export async function getClientCredentialsToken(c: OAuth2ClientCredentialsConnection, options: AuthOptions): Promise<AccessToken> {
  const tokens = options.tokens ?? sharedTokenCache;
  const now = options.now ?? Date.now;
  const key = tokenKey(c);
  const cached = tokens.get(key);
  if (!options.forceRefresh && cached && cached.expiresAt > now()) return cached;
  if (options.forceRefresh) tokens.delete(key);
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchClientCredentialsToken(c, options).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  const token = await pending;
  tokens.set(key, token);
  return token;
}

/** Forgets the cached token of a connection (when the target answered 401). */
export function invalidateClientCredentialsToken(c: OAuth2ClientCredentialsConnection, tokens: TokenCache = sharedTokenCache): void {
  tokens.delete(tokenKey(c));
}

/** Signs `body` with an HMAC connection: the digest (with its prefix), and the timestamp when one is signed. */
export function signBody(c: HmacConnection, body: string | Uint8Array, nowMs: number = Date.now()): { signature: string; timestamp?: string } {
  const mac = crypto.createHmac(c.algorithm ?? 'sha256', c.secret);
  let timestamp: string | undefined;
  if (c.timestampHeader) {
    timestamp = String(Math.floor(nowMs / 1000));
    mac.update(`${timestamp}.`);
  }
  mac.update(body);
  return { signature: `${c.prefix ?? ''}${mac.digest(c.encoding ?? 'hex')}`, timestamp };
}

/**
 * Returns a copy of `req` carrying the connection's credentials: Basic or Bearer
 * Authorization, an API key header or query parameter, an OAuth2 access token, or an
 * HMAC signature of the body. Throws a classified DeliveryError when a token cannot be had.
 */
export async function applyConnection(req: HttpRequest, connection: Connection | undefined, options: AuthOptions): Promise<HttpRequest> {
  if (!connection) return req;
  const headers: Record<string, string> = { ...req.headers };
  let url = req.url;
  switch (connection.kind) {
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`, 'utf8').toString('base64')}`;
      break;
    case 'bearer':
      headers.authorization = `Bearer ${connection.token}`;
      break;
    case 'api-key':
      if (connection.in === 'query') {
        const u = new URL(url);
        u.searchParams.set(connection.name, connection.key);
        url = u.toString();
      } else {
        headers[connection.name.toLowerCase()] = `${connection.prefix ?? ''}${connection.key}`;
      }
      break;
    case 'oauth2-client-credentials': {
      const token = await getClientCredentialsToken(connection, options);
      headers.authorization = `${token.type} ${token.value}`;
      break;
    }
    case 'hmac': {
      const signed = signBody(connection, req.body ?? '', (options.now ?? Date.now)());
      headers[(connection.header ?? 'X-Flowbridge-Signature').toLowerCase()] = signed.signature;
      if (connection.timestampHeader && signed.timestamp) headers[connection.timestampHeader.toLowerCase()] = signed.timestamp;
      break;
    }
  }
  return { ...req, url, headers };
}

/** Reclassifies a response: a FailureInfo makes it a failure (even a 2xx); undefined keeps the status table's verdict. */
export type FailureRefiner = (res: HttpResponse) => FailureInfo | undefined;

export interface AuthorizedSendOptions extends AuthOptions {
  connection: Connection | undefined;
  refine?: FailureRefiner;
}

/** Throws the refined failure when `refine` calls the response one, else `ensureOk`'s verdict; returns the response when it is a success. */
export function checkResponse(res: HttpResponse, refine?: FailureRefiner): HttpResponse {
  const refined = refine?.(res);
  if (refined) {
    const retryAfterMs = refined.kind === 'rate_limited' || refined.kind === 'retryable' ? parseRetryAfter(res.headers['retry-after']) : undefined;
    throw new DeliveryError(`${res.status >= 200 && res.status < 300 ? 'the target reported a failure' : `HTTP ${res.status}`}: ${refined.reason}`, { ...refined, status: res.status, responseExcerpt: res.excerpt, retryAfterMs });
  }
  return ensureOk(res);
}

/**
 * Sends `req` with the connection applied and returns the response whatever its status.
 * With an OAuth2 connection, a 401 drops the cached token and the request is sent once
 * more with a fresh one, since tokens can be revoked before they expire.
 */
export async function requestAuthorized(req: HttpRequest, options: AuthOptions & { connection: Connection | undefined }): Promise<HttpResponse> {
  const first = await options.http.request(await applyConnection(req, options.connection, options));
  if (first.status !== 401 || options.connection?.kind !== 'oauth2-client-credentials') return first;
  return options.http.request(await applyConnection(req, options.connection, { ...options, forceRefresh: true }));
}

/** `requestAuthorized`, then `checkResponse`: resolves only for a success, else throws a classified DeliveryError. */
export async function sendAuthorized(req: HttpRequest, options: AuthorizedSendOptions): Promise<HttpResponse> {
  return checkResponse(await requestAuthorized(req, options), options.refine);
}

/** The auth options of a connector context (its client, connection, token cache, signal and timeout). */
export function authOptionsOf(ctx: { http: HttpClient; connection: Connection | undefined; tokens?: TokenCache; signal: AbortSignal; timeoutMs: number }): AuthorizedSendOptions {
  return { http: ctx.http, connection: ctx.connection, tokens: ctx.tokens, signal: ctx.signal, timeoutMs: ctx.timeoutMs };
}

/**
 * Checks a connection on its own, for `POST /connections/:id/test`: an OAuth2 connection
 * fetches a token (proving the client credentials); other kinds can only be proven by a
 * target using them, which the result says. Never throws.
 */
export async function checkConnection(connection: Connection, options: AuthOptions): Promise<{ ok: boolean; message: string }> {
  if (connection.kind !== 'oauth2-client-credentials') return { ok: true, message: `a ${connection.kind} connection is checked when a target uses it: test the target` };
  try {
    const token = await getClientCredentialsToken(connection, { ...options, forceRefresh: true });
    return { ok: true, message: `the token endpoint issued a ${token.type} token` };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
