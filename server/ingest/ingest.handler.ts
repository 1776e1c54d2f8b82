import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { WebhookSourceDefinition } from '../../flows/flow.compiler.ts';
import { errorBody, isRedisUnavailable, readBody, sendError, sendJson } from '../http-util.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import type { Keys } from '../redis/keys.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import { hasSealed, openConfigSecrets, type SecretKeys } from '../secrets/config-secrets.ts';
import { nodeSecretAad } from '../secrets/flow-secrets.ts';
import { getBus, type BusSettings } from '../services/bus.service.ts';
import type { EventStore, StoredEvent } from '../store/event-store.ts';
import { parseCloudEventsRequest } from './binding/cloudevents-binding.ts';
import { compileWebhookVerifier, type WebhookVerifier } from './signatures/verify-webhook.ts';
import { WEBHOOK_CONTENT_TYPES, type WebhookSourceSettings } from './webhook-source.kind.ts';
import { buildWebhookEvent } from './webhook.ingest.ts';
import { captureKey, captureWebhookRequest } from '../api/editor/webhook-capture.ts';

export interface IngestDeps {
  events: EventStore;
  registry: RuleRegistry;
  redis: Redis;
  keys: Keys;
  log: Logger;
  metrics: Metrics;
  secretKeys: SecretKeys;
  maxRequestBytes: number;
  maxEventBytes: number;
}

/** A webhook source ready for requests: its settings with secrets opened, and its compiled checks. */
interface PreparedSource {
  settings: WebhookSourceSettings;
  verifier: WebhookVerifier | undefined;
}

const BUS_CACHE_MS = 5000;

/**
 * The door: `POST /webhooks/:sourceId` and `POST /events/:bus` (plus the CloudEvents webhook
 * handshake on OPTIONS), on plain node:http for speed. An event is answered 202 only after
 * Redis has it; a failure to persist is a 503 and nothing is acknowledged. Every rejection
 * is a 4xx with a code, and stores nothing. Returns false for paths it does not own.
 */
export function createIngestHandler(deps: IngestDeps): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const buses = new Map<string, { settings: BusSettings | undefined; at: number }>();
  // Keyed by the registry's source object: a redeploy replaces it, and with it this entry.
  const prepared = new WeakMap<WebhookSourceDefinition, PreparedSource>();

  // Whether the editor armed a capture for a source, checked in Redis at most once a second
  // per source: the hot path must not pay a round trip per request for a rare feature.
  const captureChecks = new Map<string, { at: number; armed: boolean }>();
  const captureArmed = async (sourceId: string): Promise<boolean> => {
    const known = captureChecks.get(sourceId);
    if (known && Date.now() - known.at < 1000) return known.armed;
    const armed = (await deps.redis.exists(captureKey(deps.keys, sourceId))) === 1;
    if (captureChecks.size > 10_000) captureChecks.clear();
    captureChecks.set(sourceId, { at: Date.now(), armed });
    return armed;
  };

  const busSettings = async (bus: string): Promise<BusSettings | undefined> => {
    const cached = buses.get(bus);
    if (cached && Date.now() - cached.at < BUS_CACHE_MS) return cached.settings;
    const settings = await getBus(deps.redis, deps.keys, bus);
    buses.set(bus, { settings, at: Date.now() });
    return settings;
  };

  const prepare = (source: WebhookSourceDefinition): PreparedSource => {
    let p = prepared.get(source);
    if (p) return p;
    let settings = source.config as WebhookSourceSettings;
    try {
      if (hasSealed(settings)) settings = openConfigSecrets(settings, deps.secretKeys, nodeSecretAad(source.flowId, source.nodeId)) as WebhookSourceSettings;
      p = { settings, verifier: settings.auth?.length ? compileWebhookVerifier(settings.auth) : undefined };
    } catch (err) {
      // Fail closed: a source whose checks cannot be prepared accepts nothing.
      deps.log.error({ sourceId: source.sourceId, flowId: source.flowId, err: (err as Error).message }, 'webhook source authentication cannot be prepared; refusing its requests');
      throw new FlowbridgeError('ERR_INGEST_AUTH_CONFIG', 'This webhook source cannot check requests right now (its secrets cannot be opened); nothing was stored');
    }
    prepared.set(source, p);
    return p;
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

  /** Serializes an event once, for the size check and for storage. */
  const serialize = (event: StoredEvent): string => {
    const json = JSON.stringify(event);
    const size = Buffer.byteLength(json);
    if (size > deps.maxEventBytes) {
      throw new FlowbridgeError('ERR_INGEST_EVENT_TOO_LARGE', `The event is ${size} bytes; the limit is ${deps.maxEventBytes}`, [{ limit: deps.maxEventBytes }]);
    }
    return json;
  };

  const findSource = async (sourceId: string): Promise<WebhookSourceDefinition> => {
    let source = deps.registry.source(sourceId);
    if (!source) {
      // A source deployed a moment ago by another process; the reload is cheap when nothing changed.
      await deps.registry.refresh();
      source = deps.registry.source(sourceId);
    }
    if (!source) throw new FlowbridgeError('ERR_INGEST_UNKNOWN_SOURCE', `No deployed flow has the webhook source "${sourceId}"`);
    return source;
  };

  const webhook = async (req: IncomingMessage, res: ServerResponse, sourceId: string, query: URLSearchParams, path: string): Promise<void> => {
    // The editor's test URL: the next request is captured for it, not persisted or routed
    // (before any other check, so it works before the flow is deployed).
    if (await captureArmed(sourceId)) {
      const body = await readBody(req, deps.maxRequestBytes);
      if (await captureWebhookRequest(deps.redis, deps.keys, sourceId, { method: req.method ?? 'POST', path: req.url ?? path, headers: req.headers, body })) {
        captureChecks.delete(sourceId);
        sendJson(res, 202, { captured: true });
        return;
      }
      return await handleWebhook(req, res, sourceId, query, path, body);
    }
    return await handleWebhook(req, res, sourceId, query, path);
  };

  const handleWebhook = async (req: IncomingMessage, res: ServerResponse, sourceId: string, query: URLSearchParams, path: string, readAlready?: Buffer): Promise<void> => {
    const source = await findSource(sourceId);
    const { settings, verifier } = prepare(source);
    const methods = settings.methods ?? ['POST'];
    if (!methods.includes(req.method as 'POST')) {
      sendJson(res, 405, errorBody('ERR_METHOD_NOT_ALLOWED', `This webhook source accepts ${methods.join(', ')}`), { allow: [...methods, 'OPTIONS'].join(', ') });
      req.resume();
      return;
    }
    const body = readAlready ?? (await readBody(req, deps.maxRequestBytes));
    if (verifier) {
      const verdict = verifier({ headers: req.headers, rawBody: body, query, remoteAddress: req.socket.remoteAddress });
      if (!verdict.ok) {
        deps.metrics.inc('flowbridge_ingest_auth_failures_total', { source: sourceId, check: verdict.check, code: verdict.code });
        throw new FlowbridgeError(verdict.code, verdict.message, [{ check: verdict.check, index: verdict.index }], 401);
      }
    }
    const event = await buildWebhookEvent(source, req.headers, body, new Date(), {
      accept: settings.contentTypes ?? WEBHOOK_CONTENT_TYPES,
      request: settings.keep === 'request' ? { method: req.method ?? 'POST', path, query, keepHeaders: settings.keepHeaders ?? [] } : undefined,
    });
    const json = serialize(event);
    const bus = await busSettings(source.bus);
    const result = await deps.events.append(source.bus, event, { via: `webhook:${sourceId}`, at: Date.now() }, { json, dedupeWindowSeconds: bus?.dedupeWindowSeconds });
    deps.metrics.inc('flowbridge_ingest_accepted_total', { endpoint: 'webhook', duplicate: String(result.duplicate) });
    sendJson(res, 202, { id: event.id, bus: source.bus, duplicate: result.duplicate, accepted: [{ id: event.id, source: event.source, duplicate: result.duplicate }] });
  };

  const cloudEvents = async (req: IncomingMessage, res: ServerResponse, busName: string): Promise<void> => {
    const bus = await busSettings(busName);
    if (!bus) throw new FlowbridgeError('ERR_INGEST_UNKNOWN_BUS', `No bus is named "${busName}"`);
    const body = await readBody(req, deps.maxRequestBytes);
    const { events } = parseCloudEventsRequest({ headers: req.headers, body }, { maxEventBytes: deps.maxEventBytes, maxRequestBytes: deps.maxRequestBytes });
    const json = events.map((e) => JSON.stringify(e));
    const results = await deps.events.appendAll(busName, events as StoredEvent[], { via: 'events', at: Date.now() }, { json, dedupeWindowSeconds: bus.dedupeWindowSeconds });
    let duplicates = 0;
    const accepted = events.map((e, i) => {
      const duplicate = results[i]!.duplicate;
      if (duplicate) duplicates++;
      return { id: e.id, source: e.source, duplicate };
    });
    deps.metrics.inc('flowbridge_ingest_accepted_total', { endpoint: 'events', duplicate: 'false' }, events.length - duplicates);
    if (duplicates) deps.metrics.inc('flowbridge_ingest_accepted_total', { endpoint: 'events', duplicate: 'true' }, duplicates);
    sendJson(res, 202, { bus: busName, accepted });
  };

  /**
   * The CloudEvents webhook abuse-protection handshake (HTTP webhook spec §4): a sender asks
   * with OPTIONS and WebHook-Request-Origin; an allowed origin is echoed in
   * WebHook-Allowed-Origin (with WebHook-Allowed-Rate), a refused one gets no such header.
   */
  const handshake = async (req: IncomingMessage, res: ServerResponse, kind: string, name: string): Promise<void> => {
    let settings: BusSettings | undefined;
    if (kind === 'events') {
      settings = await busSettings(name);
      if (!settings) throw new FlowbridgeError('ERR_INGEST_UNKNOWN_BUS', `No bus is named "${name}"`);
    } else {
      settings = await busSettings((await findSource(name)).bus);
    }
    const origin = req.headers['webhook-request-origin'];
    const headers: Record<string, string> = { allow: 'POST, OPTIONS' };
    if (typeof origin === 'string' && origin) {
      const allowed = settings?.allowedOrigins;
      if (allowed && !allowed.includes(origin) && !allowed.includes('*')) {
        sendJson(res, 403, errorBody('ERR_INGEST_ORIGIN_DENIED', `Origin "${origin}" may not send events here`), headers);
        return;
      }
      headers['webhook-allowed-origin'] = origin;
      headers['webhook-allowed-rate'] = settings?.allowedRate ? String(settings.allowedRate) : '*';
    }
    res.writeHead(200, headers);
    res.end();
  };

  return (req, res, rawPath) => {
    const m = /^\/(webhooks|events)\/([^/]+)\/?$/.exec(rawPath);
    if (!m) return false;
    const [, kind, rawName] = m;
    let name: string;
    try {
      name = decodeURIComponent(rawName!);
    } catch {
      sendError(res, new FlowbridgeError('ERR_BAD_REQUEST', 'The path is not valid percent-encoding'));
      return true;
    }
    const where = kind === 'webhooks' ? 'webhook' : 'events';
    let run: Promise<void>;
    if (req.method === 'OPTIONS') run = handshake(req, res, kind!, name);
    else if (kind === 'webhooks') {
      const q = req.url!.indexOf('?');
      run = webhook(req, res, name, new URLSearchParams(q === -1 ? '' : req.url!.slice(q + 1)), rawPath);
    } else if (req.method === 'POST') run = cloudEvents(req, res, name);
    else {
      sendJson(res, 405, errorBody('ERR_METHOD_NOT_ALLOWED', `Use POST to send events to /events/${name}`), { allow: 'POST, OPTIONS' });
      req.resume();
      return true;
    }
    run.catch((err: unknown) => {
      fail(res, err, where);
      req.resume();
    });
    return true;
  };
}
