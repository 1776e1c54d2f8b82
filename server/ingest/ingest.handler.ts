import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import { errorBody, isRedisUnavailable, readBody, sendError, sendJson } from '../http-util.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import type { Keys } from '../redis/keys.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import type { EventStore, StoredEvent } from '../store/event-store.ts';
import { isJsonMediaType, mediaType, parseJsonBody } from './json-body.ts';
import { buildWebhookEvent } from './webhook.ingest.ts';

export interface IngestDeps {
  events: EventStore;
  registry: RuleRegistry;
  redis: Redis;
  keys: Keys;
  log: Logger;
  metrics: Metrics;
  maxRequestBytes: number;
  maxEventBytes: number;
}

/**
 * The door: `POST /webhooks/:sourceId` and `POST /events/:bus`, on plain node:http for
 * speed. An event is answered 202 only after Redis has it; any failure to persist is a
 * 503 and nothing is acknowledged. Returns false for paths it does not own.
 */
export function createIngestHandler(deps: IngestDeps): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const knownBuses = new Map<string, number>();

  const busExists = async (bus: string): Promise<boolean> => {
    const seen = knownBuses.get(bus);
    if (seen && Date.now() - seen < 5000) return true;
    const ok = (await deps.redis.hexists(deps.keys.buses, bus)) === 1;
    if (ok) knownBuses.set(bus, Date.now());
    return ok;
  };

  const fail = (res: ServerResponse, err: unknown, where: string): void => {
    let fe: FlowbridgeError;
    if (err instanceof FlowbridgeError) fe = err;
    else if (isRedisUnavailable(err)) fe = new FlowbridgeError('ERR_INGEST_UNAVAILABLE', 'The event could not be persisted (Redis unavailable); nothing was stored; retry');
    else {
      // Our own bug, not an outage: a 500 (a 503 would have senders retry it forever).
      deps.log.error({ err: (err as Error)?.stack ?? String(err), where }, 'ingest failed unexpectedly');
      fe = new FlowbridgeError('ERR_INTERNAL', 'The event could not be accepted because of an internal error; it has been logged');
    }
    deps.metrics.inc('flowbridge_ingest_rejected_total', { endpoint: where, code: fe.code });
    if (!res.headersSent) {
      const headers: Record<string, string> = fe.status === 503 ? { 'retry-after': '1' } : {};
      if (fe.status === 413) headers.connection = 'close';
      sendJson(res, fe.status, errorBody(fe.code, fe.message, fe.details), headers);
    }
  };

  /** Serializes the event once, for the size check and for storage. */
  const serialize = (event: StoredEvent): string => {
    const json = JSON.stringify(event);
    const size = Buffer.byteLength(json);
    if (size > deps.maxEventBytes) {
      throw new FlowbridgeError('ERR_INGEST_EVENT_TOO_LARGE', `The event is ${size} bytes; the limit is ${deps.maxEventBytes}`, [{ limit: deps.maxEventBytes }]);
    }
    return json;
  };

  const webhook = async (req: IncomingMessage, res: ServerResponse, sourceId: string): Promise<void> => {
    let source = deps.registry.source(sourceId);
    if (!source) {
      // A source deployed a moment ago by another process; the reload is cheap when nothing changed.
      await deps.registry.refresh();
      source = deps.registry.source(sourceId);
    }
    if (!source) throw new FlowbridgeError('ERR_INGEST_UNKNOWN_SOURCE', `No deployed flow has the webhook source "${sourceId}"`);
    const body = await readBody(req, deps.maxRequestBytes);
    const event = await buildWebhookEvent(source, req.headers, body);
    const json = serialize(event);
    const result = await deps.events.append(source.bus, event, { via: `webhook:${sourceId}`, at: Date.now() }, json);
    deps.metrics.inc('flowbridge_ingest_accepted_total', { endpoint: 'webhook', duplicate: String(result.duplicate) });
    sendJson(res, 202, { id: event.id, bus: source.bus, duplicate: result.duplicate, accepted: [{ id: event.id, source: event.source, duplicate: result.duplicate }] });
  };

  const cloudEvents = async (req: IncomingMessage, res: ServerResponse, bus: string): Promise<void> => {
    if (!(await busExists(bus))) throw new FlowbridgeError('ERR_INGEST_UNKNOWN_BUS', `No bus is named "${bus}"`);
    const type = mediaType(req.headers['content-type']);
    if (type !== 'application/cloudevents+json' && !isJsonMediaType(type)) {
      throw new FlowbridgeError('ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type || '(none)'}" is not accepted; send a structured-mode CloudEvent as application/cloudevents+json`);
    }
    const body = await readBody(req, deps.maxRequestBytes);
    const event = parseStructuredEvent(parseJsonBody(body));
    const json = serialize(event);
    const result = await deps.events.append(bus, event, { via: 'events', at: Date.now() }, json);
    deps.metrics.inc('flowbridge_ingest_accepted_total', { endpoint: 'events', duplicate: String(result.duplicate) });
    sendJson(res, 202, { accepted: [{ id: event.id, source: event.source, duplicate: result.duplicate }] });
  };

  return (req, res, path) => {
    const m = /^\/(webhooks|events)\/([^/]+)\/?$/.exec(path);
    if (!m) return false;
    const [, kind, rawName] = m;
    let name: string;
    try {
      name = decodeURIComponent(rawName!);
    } catch {
      sendError(res, new FlowbridgeError('ERR_BAD_REQUEST', 'The path is not valid percent-encoding'));
      return true;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, errorBody('ERR_METHOD_NOT_ALLOWED', `Use POST to send events to /${kind}/${name}`), { allow: 'POST' });
      req.resume();
      return true;
    }
    const run = kind === 'webhooks' ? webhook(req, res, name) : cloudEvents(req, res, name);
    run.catch((err: unknown) => {
      fail(res, err, kind === 'webhooks' ? 'webhook' : 'events');
      req.resume();
    });
    return true;
  };
}

/** Minimal structured-mode validation (required attributes as non-empty strings, specversion 1.0). */
export function parseStructuredEvent(value: unknown): StoredEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FlowbridgeError('ERR_INGEST_INVALID_EVENT', 'A structured-mode CloudEvent must be a JSON object');
  }
  const e = value as Record<string, unknown>;
  for (const attr of ['id', 'source', 'type', 'specversion']) {
    if (typeof e[attr] !== 'string' || e[attr] === '') {
      throw new FlowbridgeError('ERR_INGEST_INVALID_EVENT', `The required attribute "${attr}" is missing or not a non-empty string`, [{ attribute: attr }]);
    }
  }
  if (e.specversion !== '1.0') throw new FlowbridgeError('ERR_INGEST_INVALID_EVENT', `specversion must be "1.0", got "${String(e.specversion)}"`, [{ attribute: 'specversion' }]);
  return e as StoredEvent;
}
