import { CONNECTION_KINDS } from '../spi/connection.ts';
import { authOptionsOf, checkResponse, requestAuthorized } from '../spi/connection-auth.ts';
import type { ConfigProblem, Connector } from '../spi/connector.ts';
import { DeliveryError } from '../spi/failure.ts';
import { checkPlaceholders, compilePlaceholdersCached } from '../spi/placeholders.ts';
import { probeEndpoint } from '../spi/probe.ts';

export type SyncOperation = 'create' | 'update' | 'delete';

export interface SyncMapping {
  /** An event type, or a prefix ending in `*`. */
  eventType: string;
  operation: SyncOperation;
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the base URL, with placeholders. */
  path: string;
}

export interface RestSyncConfig {
  baseUrl: string;
  mappings: SyncMapping[];
  headers?: Record<string, string>;
  unmatched?: 'fail' | 'skip';
}

const DEFAULT_METHOD: Record<SyncOperation, 'POST' | 'PUT' | 'DELETE'> = { create: 'POST', update: 'PUT', delete: 'DELETE' };

/** The first mapping whose event type matches (exactly, or by a `prefix*`). */
export function findMapping(mappings: readonly SyncMapping[], type: string): SyncMapping | undefined {
  return mappings.find((m) => (m.eventType.endsWith('*') ? type.startsWith(m.eventType.slice(0, -1)) : m.eventType === type));
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Keeps one record in a REST API in step with events: the event type picks a create,
 * update or delete call. Retries after a lost response must not fail, so a 409 on create
 * ("exists") and a 404 on delete ("already gone") count as done.
 */
export const restSyncConnector: Connector<RestSyncConfig> = {
  id: 'rest-sync',
  version: '1.0.0',
  title: 'REST record sync',
  summary: 'Keeps a record in a REST API in step with events: event types map to create, update and delete calls.',
  category: 'core',
  icon: '🔁',
  connectionKinds: CONNECTION_KINDS,
  configSchema: {
    type: 'object',
    required: ['baseUrl', 'mappings'],
    additionalProperties: false,
    properties: {
      baseUrl: { type: 'string', title: 'Base URL', description: 'The API root; mapping paths are appended to it.', pattern: '^https?://', maxLength: 2048, examples: ['https://attendance.example.com/api'] },
      mappings: {
        type: 'array',
        title: 'Event type mappings',
        description: 'Checked in order; the first whose event type matches decides the call.',
        minItems: 1,
        maxItems: 50,
        items: {
          type: 'object',
          title: 'Mapping',
          required: ['eventType', 'operation', 'path'],
          additionalProperties: false,
          properties: {
            eventType: { type: 'string', title: 'Event type', description: 'Exact type, or a prefix ending in `*`.', minLength: 1, maxLength: 256, examples: ['hr.employee.created', 'hr.employee.*'] },
            operation: { type: 'string', title: 'Operation', enum: ['create', 'update', 'delete'], description: '`create`: 409 counts as done; `delete`: 404 counts as done.' },
            method: { type: 'string', title: 'Method', enum: ['POST', 'PUT', 'PATCH', 'DELETE'], description: 'Default: POST for create, PUT for update, DELETE for delete.' },
            path: { type: 'string', title: 'Path', description: 'Appended to the base URL; placeholders such as `{{body.externalId}}` are URL-encoded.', minLength: 1, maxLength: 2048, examples: ['/employees', '/employees/{{body.externalId}}'] },
          },
        },
      },
      headers: {
        type: 'object',
        title: 'Headers',
        description: 'Extra request headers; values may contain placeholders.',
        propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 256 },
        additionalProperties: { type: 'string', maxLength: 8192 },
        default: {},
      },
      unmatched: { type: 'string', title: 'Unmapped event types', enum: ['fail', 'skip'], default: 'fail', description: '`fail`: dead-letter the delivery (a flow sent a type nobody mapped); `skip`: record it as delivered without a call.' },
    },
    examples: [
      {
        baseUrl: 'https://attendance.example.com/api',
        mappings: [
          { eventType: 'hr.employee.created', operation: 'create', path: '/employees' },
          { eventType: 'hr.employee.updated', operation: 'update', path: '/employees/{{body.externalId}}' },
          { eventType: 'hr.employee.terminated', operation: 'delete', path: '/employees/{{body.externalId}}' },
        ],
      },
    ],
  },

  validateConfig(config) {
    if (typeof config !== 'object' || config === null || !Array.isArray(config.mappings)) return [{ path: '', code: 'ERR_CONNECTOR_CONFIG', message: 'config must have mappings' }];
    const problems: ConfigProblem[] = checkPlaceholders(config.mappings.map((m, i): [string, string | undefined] => [`/mappings/${i}/path`, m?.path]));
    problems.push(...checkPlaceholders(Object.entries(config.headers ?? {}).map(([k, v]): [string, string] => [`/headers/${k}`, v])));
    return problems;
  },

  async send(input, ctx) {
    const type = String(input.event.type ?? '');
    const mapping = findMapping(ctx.config.mappings, type);
    if (!mapping) {
      if (ctx.config.unmatched === 'skip') return { responseExcerpt: `skipped: no mapping for event type "${type}"` };
      throw new DeliveryError(`no mapping for event type "${type}"`, { kind: 'permanent', reason: 'the event type is not mapped to a create, update or delete call' });
    }
    const scope = { event: input.event, body: input.body };
    const method = mapping.method ?? DEFAULT_METHOD[mapping.operation];
    const headers: Record<string, string> = { 'idempotency-key': ctx.idempotencyKey, accept: 'application/json' };
    let body: string | undefined;
    if (mapping.operation !== 'delete') {
      body = JSON.stringify(input.body ?? null);
      headers['content-type'] = 'application/json';
    }
    for (const [k, v] of Object.entries(ctx.config.headers ?? {})) headers[k.toLowerCase()] = compilePlaceholdersCached(v).render(scope);
    const url = joinUrl(ctx.config.baseUrl, compilePlaceholdersCached(mapping.path).render(scope, 'uri-component'));
    const res = await requestAuthorized({ method, url, headers, body, timeoutMs: ctx.timeoutMs, signal: ctx.signal }, authOptionsOf(ctx));
    if (mapping.operation === 'create' && res.status === 409) return { status: 409, responseExcerpt: `already exists (409): ${res.excerpt}` };
    if (mapping.operation === 'delete' && (res.status === 404 || res.status === 410)) return { status: res.status, responseExcerpt: `already deleted (${res.status}): ${res.excerpt}` };
    checkResponse(res);
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    const c = ctx.config as Partial<RestSyncConfig> | null | undefined;
    if (typeof c?.baseUrl !== 'string') return { ok: false, message: 'the config has no base URL' };
    return probeEndpoint(c.baseUrl, authOptionsOf(ctx));
  },
};
