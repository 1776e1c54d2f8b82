import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { WebhookSourceDefinition } from '../../flows/flow.compiler.ts';
import type { ValueSource } from '../../flows/node-kinds.ts';
import { compileTransform, type CompiledTransform } from '../../flows/transforms/transform.ts';
import type { StoredEvent } from '../store/event-store.ts';
import { isJsonMediaType, mediaType, parseJsonBody } from './json-body.ts';

export const DEFAULT_WEBHOOK_EVENT_TYPE = 'webhook.received';

const pathCache = new Map<string, CompiledTransform>();

function compiledPath(path: string): CompiledTransform {
  let c = pathCache.get(path);
  if (!c) {
    c = compileTransform({ type: 'jsonpath', path });
    if (pathCache.size > 10_000) pathCache.clear();
    pathCache.set(path, c);
  }
  return c;
}

async function resolveValue(spec: ValueSource | undefined, headers: IncomingHttpHeaders, data: unknown): Promise<string | undefined> {
  if (!spec) return undefined;
  if ('value' in spec) return spec.value;
  if ('header' in spec) {
    const name = spec.header.toLowerCase();
    const v = Object.hasOwn(headers, name) ? headers[name] : undefined;
    const s = Array.isArray(v) ? v[0] : v;
    return typeof s !== 'string' || s === '' ? undefined : s;
  }
  let v: unknown;
  try {
    v = await compiledPath(spec.path).render(data, { event: data });
  } catch {
    return undefined;
  }
  if (Array.isArray(v) && v.length === 1) v = v[0];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Form fields or query parameters as an object: a repeated name becomes a list. Names are
 * defined as own properties, so `__proto__` is plain data and never a prototype.
 */
function paramsToRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    Object.defineProperty(out, key, { value: all.length === 1 ? all[0] : all, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export type WebhookBodyKind = 'json' | 'form' | 'text';

/** Which kind of body a Content-Type announces, or undefined for one webhook sources do not read. */
export function webhookBodyKind(contentType: string | undefined): WebhookBodyKind | undefined {
  const type = mediaType(contentType);
  if (type === '' || isJsonMediaType(type)) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('text/')) return 'text';
  return undefined;
}

/**
 * Decodes a webhook body by its Content-Type: JSON, form-encoded, or text; others, and
 * kinds not in `accepted`, are refused (415).
 */
export function decodeWebhookBody(contentType: string | undefined, body: Buffer, accepted: readonly WebhookBodyKind[] = ['json', 'form', 'text']): { data: unknown; datacontenttype: string } {
  const type = mediaType(contentType);
  const kind = webhookBodyKind(contentType);
  // An empty body (a ping) is null data whatever its Content-Type says.
  if (body.length === 0) return { data: null, datacontenttype: 'application/json' };
  if (!kind || !accepted.includes(kind)) {
    throw new FlowbridgeError('ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type || '(none)'}" is not accepted by this webhook source; it accepts ${accepted.join(', ')} bodies`);
  }
  if (kind === 'json') return { data: parseJsonBody(body), datacontenttype: 'application/json' };
  if (kind === 'form') {
    const data = paramsToRecord(new URLSearchParams(body.toString('utf8')));
    return { data, datacontenttype: 'application/json' };
  }
  return { data: body.toString('utf8'), datacontenttype: contentType ?? 'text/plain' };
}

/** The parts of the request kept with `keep: "request"`. */
export interface WebhookRequestParts {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-case header names to keep; others are dropped (they may carry credentials). */
  keepHeaders: readonly string[];
}

/**
 * Wraps a webhook request into a CloudEvent per the source's settings: id, type, source
 * and subject each from a constant, a header, or a JSONPath into the body. A missing id is
 * generated; a type or source that the settings point at but cannot find is an error.
 */
export async function buildWebhookEvent(
  source: WebhookSourceDefinition,
  headers: IncomingHttpHeaders,
  body: Buffer,
  now: Date = new Date(),
  options: { accept?: readonly WebhookBodyKind[]; request?: WebhookRequestParts } = {},
): Promise<StoredEvent> {
  const decoded = decodeWebhookBody(headers['content-type'], body, options.accept);
  const { data } = decoded;
  let eventData: unknown = data;
  let datacontenttype = decoded.datacontenttype;
  if (options.request) {
    const kept: Record<string, string> = {};
    for (const name of options.request.keepHeaders) {
      const key = name.toLowerCase();
      const v = Object.hasOwn(headers, key) ? headers[key] : undefined;
      if (v !== undefined) Object.defineProperty(kept, key, { value: Array.isArray(v) ? v.join(', ') : v, enumerable: true, writable: true, configurable: true });
    }
    const query = paramsToRecord(options.request.query);
    eventData = { body: data, headers: kept, query, method: options.request.method, path: options.request.path };
    datacontenttype = 'application/json';
  }
  const cfg = source.config;
  const [id, type, src, subject] = await Promise.all([
    resolveValue(cfg.id, headers, data),
    resolveValue(cfg.type, headers, data),
    resolveValue(cfg.source, headers, data),
    resolveValue(cfg.subject, headers, data),
  ]);
  const missing = (what: string, spec: ValueSource) =>
    new FlowbridgeError('ERR_INGEST_INVALID_EVENT', `The event ${what} is taken from ${'header' in spec ? `header "${spec.header}"` : `JSONPath ${(spec as { path: string }).path}`}, which is missing or not a string in this request`, [{ attribute: what }]);
  if (cfg.type && type === undefined) throw missing('type', cfg.type);
  if (cfg.source && src === undefined) throw missing('source', cfg.source);
  const event: StoredEvent = {
    specversion: '1.0',
    id: id ?? randomUUID(),
    source: src ?? `/webhooks/${source.sourceId}`,
    type: type ?? DEFAULT_WEBHOOK_EVENT_TYPE,
    time: now.toISOString(),
    datacontenttype,
    data: eventData,
  };
  if (subject !== undefined) event.subject = subject;
  return event;
}
