import { CONNECTION_KINDS } from '../spi/connection.ts';
import { authOptionsOf, sendAuthorized } from '../spi/connection-auth.ts';
import type { ConfigProblem, Connector, SendInput } from '../spi/connector.ts';
import { DeliveryError } from '../spi/failure.ts';
import { probeEndpoint } from '../spi/probe.ts';
import { checkPlaceholders, compilePlaceholdersCached, type PlaceholderScope } from '../spi/placeholders.ts';

export interface HttpTargetConfig {
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  headers?: Record<string, string>;
  query?: Record<string, string>;
  rateLimit?: { max: number; perSeconds: number };
}

const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

function isPlainConfig(config: unknown): config is HttpTargetConfig {
  return typeof config === 'object' && config !== null && !Array.isArray(config) && typeof (config as { url?: unknown }).url === 'string';
}

/** Builds the request from the config and the event: placeholders filled, query added, body encoded. */
export function buildHttpRequest(config: HttpTargetConfig, input: SendInput, idempotencyKey: string) {
  const scope: PlaceholderScope = { event: input.event, body: input.body };
  const method = config.method ?? 'POST';
  let url: URL;
  const rendered = compilePlaceholdersCached(config.url).render(scope, 'uri-component');
  try {
    url = new URL(rendered);
  } catch {
    throw new DeliveryError(`the URL "${rendered}" is not valid`, { kind: 'config', reason: 'the target URL is not a valid absolute URL' });
  }
  for (const [name, value] of Object.entries(config.query ?? {})) url.searchParams.set(name, compilePlaceholdersCached(value).render(scope));
  const headers: Record<string, string> = { 'idempotency-key': idempotencyKey };
  let body: string | undefined;
  if (method !== 'GET' && method !== 'DELETE') {
    body = input.output === 'text' && typeof input.body === 'string' ? input.body : JSON.stringify(input.body ?? null);
    headers['content-type'] = input.output === 'text' ? 'text/plain; charset=utf-8' : 'application/json';
  }
  for (const [k, v] of Object.entries(config.headers ?? {})) headers[k.toLowerCase()] = compilePlaceholdersCached(v).render(scope);
  return { method, url: url.toString(), headers, body };
}

/**
 * Any HTTP API (the reference connector): URL, query and headers with `{{event.…}}` /
 * `{{body.…}}` placeholders, the rule's output as the body, an Idempotency-Key header,
 * credentials from a connection, and a declared invocation rate limit.
 */
export const httpConnector: Connector<HttpTargetConfig> = {
  id: 'http',
  version: '1.1.0',
  title: 'HTTP request',
  summary: 'Sends each event to an HTTP endpoint; the body is the output of the transforms before it.',
  category: 'core',
  icon: '🌐',
  connectionKinds: CONNECTION_KINDS,
  configSchema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: {
        type: 'string',
        title: 'URL',
        description: 'Absolute http(s) URL of the endpoint. `{{event.<path>}}` and `{{body.<path>}}` placeholders are filled from the event or the transformed body (URL-encoded).',
        pattern: '^https?://',
        maxLength: 2048,
        examples: ['https://attendance.example.com/api/employees', 'https://attendance.example.com/api/employees/{{body.externalId}}'],
      },
      method: { type: 'string', title: 'Method', description: 'GET and DELETE send no body.', enum: ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'], default: 'POST' },
      headers: {
        type: 'object',
        title: 'Headers',
        description: 'Extra request headers; values may contain placeholders. Content-Type is set from the body unless given here.',
        propertyNames: { pattern: HEADER_NAME, maxLength: 256 },
        additionalProperties: { type: 'string', maxLength: 8192 },
        default: {},
        examples: [{ 'X-Api-Version': '2' }],
      },
      query: {
        type: 'object',
        title: 'Query parameters',
        description: 'Added to the URL; values may contain placeholders.',
        propertyNames: { minLength: 1, maxLength: 256 },
        additionalProperties: { type: 'string', maxLength: 2048 },
        default: {},
        examples: [{ source: '{{event.source}}' }],
      },
      rateLimit: {
        type: 'object',
        title: 'Invocation rate limit',
        description: 'At most `max` requests per `perSeconds` seconds to this target, across all workers; further deliveries wait.',
        required: ['max', 'perSeconds'],
        additionalProperties: false,
        properties: {
          max: { type: 'integer', title: 'Requests', minimum: 1, maximum: 100000, examples: [10] },
          perSeconds: { type: 'integer', title: 'Per seconds', minimum: 1, maximum: 86400, default: 1, examples: [1] },
        },
        examples: [{ max: 10, perSeconds: 1 }],
      },
    },
    examples: [
      { url: 'https://attendance.example.com/api/employees', method: 'POST' },
      { url: 'https://attendance.example.com/api/employees/{{body.externalId}}', method: 'PUT', headers: { 'X-Client': 'flowbridge' }, query: { source: '{{event.source}}' }, rateLimit: { max: 10, perSeconds: 1 } },
    ],
  },

  validateConfig(config) {
    if (!isPlainConfig(config)) return [{ path: '', code: 'ERR_CONNECTOR_CONFIG', message: 'config must be an object with a url' }];
    const problems: ConfigProblem[] = checkPlaceholders([
      ['/url', config.url],
      ...Object.entries(config.headers ?? {}).map(([k, v]): [string, string] => [`/headers/${k}`, v]),
      ...Object.entries(config.query ?? {}).map(([k, v]): [string, string] => [`/query/${k}`, v]),
    ]);
    return problems;
  },

  rateLimit(config) {
    return config.rateLimit ? { max: config.rateLimit.max, durationMs: config.rateLimit.perSeconds * 1000 } : undefined;
  },

  async send(input, ctx) {
    const req = buildHttpRequest(ctx.config, input, ctx.idempotencyKey);
    const res = await sendAuthorized({ ...req, timeoutMs: ctx.timeoutMs, signal: ctx.signal }, authOptionsOf(ctx));
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    if (!isPlainConfig(ctx.config)) return { ok: false, message: 'the config has no URL' };
    return probeEndpoint(ctx.config.url, authOptionsOf(ctx));
  },
};
