import dns from 'node:dns/promises';
import net from 'node:net';
import { Agent, errors as undiciErrors, request } from 'undici';
import { AddressRefusedError, createGuardedLookup, isAddressAllowed } from './address-guard.ts';
import { DeliveryError, classifyHttpStatus, parseRetryAfter } from './failure.ts';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Per-attempt timeout; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The response body as text, cut at `maxResponseBytes`. */
  body: string;
  /** The first bytes of the body, for traces and dead letters. */
  excerpt: string;
  durationMs: number;
}

export interface HttpClient {
  /** Sends one request; resolves for any status; throws a classified DeliveryError when no response came. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Like `request`, but a non-2xx status throws a DeliveryError classified by `classifyHttpStatus`. */
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
  /**
   * Resolves a host name for a non-HTTP protocol (SMTP, PostgreSQL) to one address that
   * the private-address policy allows; throws a `config` DeliveryError when refused.
   */
  resolveHost?(hostname: string): Promise<string>;
}

export interface HttpClientOptions {
  /** Addresses allowed despite being private, loopback or link-local. */
  allowPrivate?: net.BlockList;
  userAgent?: string;
  maxResponseBytes?: number;
  excerptBytes?: number;
  /** Connections per origin. */
  connections?: number;
}

/** Throws a DeliveryError for a non-2xx response, with its classification, excerpt and Retry-After. */
export function ensureOk(res: HttpResponse): HttpResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const info = classifyHttpStatus(res.status);
  const retryAfterMs = info.kind === 'rate_limited' || info.kind === 'retryable' ? parseRetryAfter(res.headers['retry-after']) : undefined;
  throw new DeliveryError(`HTTP ${res.status}: ${info.reason}`, { ...info, status: res.status, responseExcerpt: res.excerpt, retryAfterMs });
}

/** An HTTP client that refuses private addresses (unless allowed), times out, and classifies every failure. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  const excerptBytes = options.excerptBytes ?? 1024;
  const agent = new Agent({
    connect: { lookup: createGuardedLookup(options.allowPrivate) as never },
    connections: options.connections ?? 512,
    keepAliveTimeout: 10_000,
    pipelining: 1,
  });

  // The verdict on a literal IP address never changes for this client: judged once per address.
  const verdicts = new Map<string, boolean>();
  const literalAllowed = (host: string): boolean => {
    let allowed = verdicts.get(host);
    if (allowed === undefined) {
      allowed = isAddressAllowed(host, options.allowPrivate);
      if (verdicts.size >= 1024) verdicts.clear();
      verdicts.set(host, allowed);
    }
    return allowed;
  };

  async function doRequest(req: HttpRequest): Promise<HttpResponse> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new DeliveryError(`invalid URL "${req.url}"`, { kind: 'config', reason: 'the target URL is not a valid absolute URL' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DeliveryError(`unsupported URL scheme "${url.protocol}"`, { kind: 'config', reason: 'only http and https targets are supported' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host) && !literalAllowed(host)) {
      const refused = new AddressRefusedError(host, host);
      throw new DeliveryError(refused.message, { kind: 'config', reason: 'target address not allowed' });
    }
    const timeoutMs = req.timeoutMs ?? 30_000;
    const started = performance.now();
    const abort = abortable(req.signal, timeoutMs);
    const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'flowbridge', ...req.headers };
    try {
      const res = await request(url, { method: req.method as never, headers, body: req.body, signal: abort.signal, dispatcher: agent, maxRedirections: 0 } as never);
      // Read with listeners, not `for await`: an async iterator costs a promise per chunk.
      const body = await new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.body.on('data', (buf: Buffer) => {
          if (size < maxBytes) chunks.push(buf.subarray(0, maxBytes - size));
          size += buf.length;
        });
        res.body.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
        res.body.once('error', reject);
      });
      const outHeaders: Record<string, string> = {};
      for (const k in res.headers) {
        const v = res.headers[k];
        if (v !== undefined) outHeaders[k] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      return { status: res.statusCode, headers: outHeaders, body, excerpt: body.slice(0, excerptBytes), durationMs: performance.now() - started };
    } catch (err) {
      throw toDeliveryError(err, abort.timedOut, timeoutMs);
    } finally {
      abort.done();
    }
  }

  return {
    request: doRequest,
    async send(req) {
      return ensureOk(await doRequest(req));
    },
    async close() {
      await agent.close();
    },
    resolveHost: (hostname) => resolveAllowedHost(hostname, options.allowPrivate),
  };
}

// Requests in flight per caller signal (the shutdown signal, shared by every request of a
// worker): one listener per signal aborts them all, instead of one listener per request.
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * A signal that aborts after `timeoutMs` or when `outer` aborts. Cheaper per request than
 * `AbortSignal.any([outer, AbortSignal.timeout(ms)])`, which costs a timer signal, a
 * composite signal and two listeners each time; `done()` must be called when the request ends.
 */
function abortable(outer: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; readonly timedOut: boolean; done(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no response within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  let group: Set<AbortController> | undefined;
  if (outer?.aborted) controller.abort(outer.reason);
  else if (outer) {
    group = inFlight.get(outer);
    if (!group) {
      const members = new Set<AbortController>();
      inFlight.set(outer, members);
      outer.addEventListener('abort', () => {
        for (const c of members) c.abort(outer.reason);
        members.clear();
      }, { once: true });
      group = members;
    }
    group.add(controller);
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    done() {
      clearTimeout(timer);
      group?.delete(controller);
    },
  };
}

/** Resolves `hostname` to its first address when every resolved address is allowed; throws a `config` DeliveryError otherwise. */
export async function resolveAllowedHost(hostname: string, allow?: net.BlockList): Promise<string> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [host] : await dns.lookup(host, { all: true }).then(
    (list) => list.map((a) => a.address),
    (err: unknown) => {
      throw new DeliveryError(`cannot resolve ${host}: ${err instanceof Error ? err.message : String(err)}`, { kind: 'retryable', reason: 'DNS lookup failed' });
    },
  );
  const bad = addresses.find((a) => !isAddressAllowed(a, allow));
  if (bad !== undefined) throw new DeliveryError(new AddressRefusedError(host, bad).message, { kind: 'config', reason: 'target address not allowed' });
  const first = addresses[0];
  if (first === undefined) throw new DeliveryError(`no address for ${host}`, { kind: 'retryable', reason: 'DNS lookup failed' });
  return first;
}

function toDeliveryError(err: unknown, timedOut: boolean, timeoutMs: number): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (timedOut) return new DeliveryError(`no response within ${timeoutMs} ms`, { kind: 'retryable', reason: 'timeout' });
  const cause = (err as { cause?: unknown }).cause;
  const refused = [err, cause].find((e) => e instanceof AddressRefusedError);
  if (refused) return new DeliveryError((refused as Error).message, { kind: 'config', reason: 'target address not allowed' });
  if (err instanceof Error && err.name === 'AbortError') return new DeliveryError('the attempt was aborted', { kind: 'retryable', reason: 'aborted (shutdown)' });
  const code = (err as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof undiciErrors.UndiciError || code) {
    return new DeliveryError(`network error: ${code ?? ''} ${message}`.trim(), { kind: 'retryable', reason: 'network error' });
  }
  return new DeliveryError(`request failed: ${message}`, { kind: 'retryable', reason: 'network error' });
}
