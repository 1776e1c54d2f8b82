import type { Problem } from '../../flows/error-codes.ts';
import { BUILTIN_NODE_KINDS, WEBHOOK_SOURCE_CONFIG_SCHEMA, type NodeKind, type WebhookSourceConfig } from '../../flows/node-kinds.ts';
import { WEBHOOK_AUTH_SCHEMA, validateWebhookAuth, type WebhookAuth } from './signatures/webhook-auth.ts';

/** The webhook source's full settings, as the server enforces them. */
export interface WebhookSourceSettings extends WebhookSourceConfig {
  /** Checks a request must all pass (signatures, token, IP allow-list). */
  auth?: WebhookAuth[];
  /** Accepted methods; default POST. */
  methods?: ('POST' | 'PUT' | 'PATCH')[];
  /** Accepted bodies; default all three. */
  contentTypes?: ('json' | 'form' | 'text')[];
  /** `body` (default): the event's data is the body. `request`: `{body, headers, query, method, path}`. */
  keep?: 'body' | 'request';
  /** With `keep: request`, the headers kept (others are dropped: they may carry credentials). */
  keepHeaders?: string[];
}

export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export const WEBHOOK_CONTENT_TYPES = ['json', 'form', 'text'] as const;

// Embedded in the node schema; its own $id would clash when the validator compiles both.
const { $id: _id, $schema: _schema, ...authCheckSchema } = WEBHOOK_AUTH_SCHEMA;

export const WEBHOOK_SOURCE_SETTINGS_SCHEMA = {
  ...WEBHOOK_SOURCE_CONFIG_SCHEMA,
  properties: {
    ...WEBHOOK_SOURCE_CONFIG_SCHEMA.properties,
    auth: {
      type: 'array',
      title: 'Authentication',
      description: 'Checks every request must pass: a provider signature (Standard Webhooks, GitHub, Stripe, Slack, generic HMAC), a shared token, an IP allow-list. A failed check is answered 401 and nothing is stored.',
      maxItems: 10,
      items: authCheckSchema,
      default: [],
    },
    methods: {
      type: 'array',
      title: 'Accepted methods',
      items: { type: 'string', enum: [...WEBHOOK_METHODS] },
      uniqueItems: true,
      minItems: 1,
      default: ['POST'],
    },
    contentTypes: {
      type: 'array',
      title: 'Accepted bodies',
      description: 'json (application/json and +json), form (application/x-www-form-urlencoded), text (text/*).',
      items: { type: 'string', enum: [...WEBHOOK_CONTENT_TYPES] },
      uniqueItems: true,
      minItems: 1,
      default: [...WEBHOOK_CONTENT_TYPES],
    },
    keep: {
      type: 'string',
      title: 'Keep',
      enum: ['body', 'request'],
      default: 'body',
      description: '"body": the event data is the body. "request": {body, headers, query, method, path}, with only the headers listed below.',
    },
    keepHeaders: {
      type: 'array',
      title: 'Headers to keep',
      items: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 256 },
      maxItems: 50,
      default: [],
      examples: [['x-github-event', 'user-agent']],
    },
  },
} as const;

const builtin = BUILTIN_NODE_KINDS.find((k) => k.type === 'source.webhook')!;

/** The `source.webhook` node kind with authentication and request settings (replaces the built-in one on the server). */
export const WEBHOOK_SOURCE_KIND: NodeKind = {
  ...builtin,
  configSchema: WEBHOOK_SOURCE_SETTINGS_SCHEMA,
  checkConfig: (config): Problem[] => {
    if (config.auth === undefined) return [];
    return validateWebhookAuth(config.auth).map((p) => ({ ...p, code: 'ERR_FLOW_NODE_CONFIG', path: `auth${p.path}` }));
  },
};
