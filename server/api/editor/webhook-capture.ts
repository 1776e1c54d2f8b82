// The webhook node's test URL: the editor arms a capture for a source id, and the next
// request to /webhooks/<source id> is kept for the editor instead of being routed.
//
// Key:   `${prefix}:capture:<sourceId>`   (a string, TTL CAPTURE_TTL_SECONDS from arming)
// Value: JSON, `v` 1:
//   armed:    {"v":1,"state":"armed","armedAt":"<ISO>"}
//   captured: {"v":1,"state":"captured","armedAt":"<ISO>","request":{"method","path",
//              "headers":{lower-case name: value},"body":"<text>","bodyEncoding":"utf8"|"base64",
//              "capturedAt":"<ISO>"}}
// The ingest handler calls captureWebhookRequest() first for every webhook request: true
// means "captured, answer 202 and do not persist or route".
import type { Redis, Result } from 'ioredis';
import type { Keys } from '../../redis/keys.ts';

export const CAPTURE_TTL_SECONDS = 600;

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  capturedAt: string;
}

export interface CaptureState {
  sourceId: string;
  state: 'none' | 'armed' | 'captured';
  armedAt?: string;
  expiresAt?: string;
  request?: CapturedRequest;
}

interface StoredCapture {
  v: 1;
  state: 'armed' | 'captured';
  armedAt: string;
  request?: CapturedRequest;
}

// Atomic: only an armed capture takes a request, so two requests racing cannot both be captured.
const TAKE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, parsed = pcall(cjson.decode, cur)
if not ok or parsed['state'] ~= 'armed' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    fbTakeCapture(key: string, captured: string): Result<number, Context>;
  }
}

/** The Redis key of a source's capture. */
export function captureKey(keys: Keys, sourceId: string): string {
  return `${keys.prefix}:capture:${sourceId}`;
}

function parse(json: string | null): StoredCapture | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as StoredCapture;
    return v && v.v === 1 && (v.state === 'armed' || v.state === 'captured') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Arms (or re-arms) a capture: the next request to the source is kept; any earlier capture is dropped. */
export async function armCapture(redis: Redis, keys: Keys, sourceId: string, now = new Date()): Promise<CaptureState> {
  const stored: StoredCapture = { v: 1, state: 'armed', armedAt: now.toISOString() };
  await redis.set(captureKey(keys, sourceId), JSON.stringify(stored), 'EX', CAPTURE_TTL_SECONDS);
  return { sourceId, state: 'armed', armedAt: stored.armedAt, expiresAt: new Date(now.getTime() + CAPTURE_TTL_SECONDS * 1000).toISOString() };
}

/** The capture's state: none (never armed, expired or cancelled), armed, or captured with the request. */
export async function readCapture(redis: Redis, keys: Keys, sourceId: string): Promise<CaptureState> {
  const key = captureKey(keys, sourceId);
  const [json, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
  const stored = parse(json);
  if (!stored) return { sourceId, state: 'none' };
  const out: CaptureState = { sourceId, state: stored.state, armedAt: stored.armedAt };
  if (ttl > 0) out.expiresAt = new Date(Date.now() + ttl).toISOString();
  if (stored.request) out.request = stored.request;
  return out;
}

export async function cancelCapture(redis: Redis, keys: Keys, sourceId: string): Promise<void> {
  await redis.del(captureKey(keys, sourceId));
}

/** A request body as stored: text when it is valid UTF-8, base64 otherwise. */
export function encodeBody(body: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body) ? { body: text, bodyEncoding: 'utf8' } : { body: body.toString('base64'), bodyEncoding: 'base64' };
}

/**
 * For the ingest handler: when a capture is armed for `sourceId`, stores this request in it
 * and returns true (the request must then not be persisted or routed); otherwise false.
 */
export async function captureWebhookRequest(
  redis: Redis,
  keys: Keys,
  sourceId: string,
  req: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Buffer },
  now = new Date(),
): Promise<boolean> {
  const key = captureKey(keys, sourceId);
  // Cheap check first: nearly every webhook request arrives with no capture armed.
  const stored = parse(await redis.get(key));
  if (stored?.state !== 'armed') return false;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const request: CapturedRequest = { method: req.method, path: req.path, headers, ...encodeBody(req.body), capturedAt: now.toISOString() };
  const captured: StoredCapture = { ...stored, state: 'captured', request };
  if (!redis.fbTakeCapture) redis.defineCommand('fbTakeCapture', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  return (await redis.fbTakeCapture(key, JSON.stringify(captured))) === 1;
}
