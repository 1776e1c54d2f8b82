import { CONNECTION_KINDS } from '../spi/connection.ts';
import { authOptionsOf, sendAuthorized } from '../spi/connection-auth.ts';
import type { Connector, SendInput } from '../spi/connector.ts';
import { DeliveryError } from '../spi/failure.ts';
import { checkPlaceholders, compilePlaceholdersCached } from '../spi/placeholders.ts';
import { probeEndpoint } from '../spi/probe.ts';
import { encodeBinary, encodeStructured, type CloudEventJson } from './cloudevent-encode.ts';

export interface CloudEventsConfig {
  url: string;
  mode?: 'binary' | 'structured';
  headers?: Record<string, string>;
  extensions?: Record<string, string>;
}

function isCloudEvent(value: unknown): value is CloudEventJson {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.specversion === '1.0' && typeof v.id === 'string' && typeof v.source === 'string' && typeof v.type === 'string';
}

/**
 * The event to forward: the output when it is a CloudEvent itself (no transform, or one
 * that built an event), else the original event with the output as its data. The id and
 * source stay the original's, so the receiver deduplicates a repeated delivery.
 */
export function eventToForward(input: SendInput, extensions: Record<string, string> = {}): CloudEventJson {
  let event: CloudEventJson;
  if (isCloudEvent(input.body)) event = { ...input.body };
  else if (isCloudEvent(input.event)) {
    const { data_base64: _dropped, ...rest } = input.event;
    const keepType = typeof rest.datacontenttype === 'string' && (input.output === 'text' ? /^text\//i.test(rest.datacontenttype) : /json/i.test(rest.datacontenttype));
    event = { ...rest, data: input.body, datacontenttype: keepType ? rest.datacontenttype : input.output === 'text' ? 'text/plain; charset=utf-8' : 'application/json' } as CloudEventJson;
  } else throw new DeliveryError('the delivery carries no CloudEvent to forward', { kind: 'permanent', reason: 'not a CloudEvent' });
  return { ...event, ...extensions };
}

/** Forwards events to another CloudEvents endpoint (flowbridge, Knative, RocketMQ-EventBridge) in binary or structured mode. */
export const cloudeventsConnector: Connector<CloudEventsConfig> = {
  id: 'cloudevents',
  version: '1.0.0',
  title: 'CloudEvents endpoint',
  summary: 'Forwards each event to another CloudEvents HTTP endpoint (flowbridge, Knative, RocketMQ-EventBridge) in binary or structured mode.',
  category: 'core',
  icon: '☁️',
  connectionKinds: CONNECTION_KINDS,
  configSchema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', title: 'URL', description: 'The receiving endpoint; placeholders allowed.', pattern: '^https?://', maxLength: 2048, examples: ['https://bus.example.com/events/default', 'http://broker-ingress.knative-eventing.svc.cluster.local/default/default'] },
      mode: { type: 'string', title: 'Content mode', enum: ['binary', 'structured'], default: 'binary', description: '`binary`: attributes in `ce-*` headers, data as the body; `structured`: the whole event as `application/cloudevents+json`.' },
      headers: {
        type: 'object',
        title: 'Headers',
        description: 'Extra request headers.',
        propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 256 },
        additionalProperties: { type: 'string', maxLength: 8192 },
        default: {},
      },
      extensions: {
        type: 'object',
        title: 'Extension attributes',
        description: 'CloudEvents extension attributes added to every forwarded event (names: lower-case letters and digits).',
        propertyNames: { pattern: '^[a-z0-9]{1,20}$', not: { enum: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data', 'datacontenttype', 'dataschema', 'data_base64'] } },
        additionalProperties: { type: 'string', maxLength: 1024 },
        default: {},
        examples: [{ forwardedby: 'flowbridge' }],
      },
    },
    examples: [{ url: 'https://bus.example.com/events/default', mode: 'binary' }, { url: 'https://bus.example.com/events/default', mode: 'structured', extensions: { forwardedby: 'flowbridge' } }],
  },

  validateConfig(config) {
    if (typeof config !== 'object' || config === null) return [{ path: '', code: 'ERR_CONNECTOR_CONFIG', message: 'config must be an object' }];
    return checkPlaceholders([['/url', config.url]]);
  },

  async send(input, ctx) {
    const event = eventToForward(input, ctx.config.extensions);
    const encoded = (ctx.config.mode ?? 'binary') === 'structured' ? encodeStructured(event) : encodeBinary(event);
    const headers: Record<string, string> = { ...encoded.headers };
    for (const [k, v] of Object.entries(ctx.config.headers ?? {})) headers[k.toLowerCase()] = v;
    const url = compilePlaceholdersCached(ctx.config.url).render({ event: input.event, body: input.body }, 'uri-component');
    const res = await sendAuthorized({ method: 'POST', url, headers, body: encoded.body, timeoutMs: ctx.timeoutMs, signal: ctx.signal }, authOptionsOf(ctx));
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    const c = ctx.config as Partial<CloudEventsConfig> | null;
    if (typeof c?.url !== 'string') return { ok: false, message: 'the config has no URL' };
    return probeEndpoint(c.url, authOptionsOf(ctx));
  },
};
