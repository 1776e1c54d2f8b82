import type { Connector } from '../spi/connector.ts';

export interface HttpTargetConfig {
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  headers?: Record<string, string>;
}

const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/** Any HTTP API: the body is the rule's output, sent as JSON (or text) with an Idempotency-Key. */
export const httpConnector: Connector<HttpTargetConfig> = {
  id: 'http',
  version: '1.0.0',
  title: 'HTTP request',
  summary: 'Sends each event to an HTTP endpoint; the body is the output of the transforms before it.',
  category: 'core',
  connectionKinds: [],
  configSchema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: {
        type: 'string',
        title: 'URL',
        description: 'Absolute http(s) URL of the endpoint.',
        pattern: '^https?://',
        maxLength: 2048,
        examples: ['https://attendance.example.com/api/employees'],
      },
      method: { type: 'string', title: 'Method', enum: ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'], default: 'POST' },
      headers: {
        type: 'object',
        title: 'Headers',
        description: 'Extra request headers. Content-Type is set from the body unless given here.',
        propertyNames: { pattern: HEADER_NAME, maxLength: 256 },
        additionalProperties: { type: 'string', maxLength: 8192 },
        default: {},
        examples: [{ 'X-Api-Version': '2' }],
      },
    },
  },
  async send(input, ctx) {
    const method = ctx.config.method ?? 'POST';
    const headers: Record<string, string> = { 'idempotency-key': ctx.idempotencyKey };
    let body: string | undefined;
    if (method !== 'GET') {
      body = input.output === 'text' && typeof input.body === 'string' ? input.body : JSON.stringify(input.body ?? null);
      headers['content-type'] = input.output === 'text' ? 'text/plain; charset=utf-8' : 'application/json';
    }
    for (const [k, v] of Object.entries(ctx.config.headers ?? {})) headers[k.toLowerCase()] = v;
    const res = await ctx.http.send({ method, url: ctx.config.url, headers, body, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    return { status: res.status, responseExcerpt: res.excerpt };
  },
};
