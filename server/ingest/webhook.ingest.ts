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

/** Decodes a webhook body by its Content-Type: JSON, form-encoded, or text. Others are refused (415). */
export function decodeWebhookBody(contentType: string | undefined, body: Buffer): { data: unknown; datacontenttype: string } {
  const type = mediaType(contentType);
  if (body.length === 0) return { data: null, datacontenttype: 'application/json' };
  if (type === '' || isJsonMediaType(type)) return { data: parseJsonBody(body), datacontenttype: 'application/json' };
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(body.toString('utf8'));
    const data: Record<string, string | string[]> = {};
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      Object.defineProperty(data, key, { value: all.length === 1 ? all[0] : all, enumerable: true, writable: true, configurable: true });
    }
    return { data, datacontenttype: 'application/json' };
  }
  if (type.startsWith('text/')) return { data: body.toString('utf8'), datacontenttype: contentType ?? 'text/plain' };
  throw new FlowbridgeError('ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type}" is not accepted by webhook sources; send JSON, form-encoded or text`);
}

/**
 * Wraps a webhook request into a CloudEvent per the source's settings: id, type, source
 * and subject each from a constant, a header, or a JSONPath into the body. A missing id is
 * generated; a type or source that the settings point at but cannot find is an error.
 */
export async function buildWebhookEvent(source: WebhookSourceDefinition, headers: IncomingHttpHeaders, body: Buffer, now: Date = new Date()): Promise<StoredEvent> {
  const { data, datacontenttype } = decodeWebhookBody(headers['content-type'], body);
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
    data,
  };
  if (subject !== undefined) event.subject = subject;
  return event;
}
