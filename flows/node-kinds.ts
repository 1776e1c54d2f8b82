// The node kinds a flow can use. Sources, filters and transforms are built in; target
// kinds come from the connector registry (the server passes them in), so this module
// stays free of connector code and runs unchanged in the editor.
import type { Problem } from './error-codes.ts';
import { validatePattern } from './patterns/pattern.ts';
import { validateTransform } from './transforms/transform.ts';

export type NodeRole = 'source' | 'filter' | 'transform' | 'target';

export interface NodeKind {
  type: string;
  role: NodeRole;
  title: string;
  description: string;
  /** JSON Schema (draft-07) of the node's `config`. */
  configSchema: object;
  /** Checks beyond the schema (patterns, expressions); paths relative to the config. */
  checkConfig?: (config: Record<string, unknown>) => Problem[];
  /** Connection kinds the node may use (connector nodes); none: it takes no connection. */
  connectionKinds?: readonly string[];
  /** Whether a node of this kind without a connection is a problem. */
  connectionRequired?: boolean;
}

/** All node kinds known to a validator, by type. */
export type NodeCatalog = ReadonlyMap<string, NodeKind>;

/** Where a webhook-built CloudEvent attribute comes from: a constant, a request header, or a JSONPath into the body. */
export type ValueSource = { value: string } | { header: string } | { path: string };

export interface WebhookSourceConfig {
  sourceId: string;
  type?: ValueSource;
  source?: ValueSource;
  id?: ValueSource;
  subject?: ValueSource;
}

const VALUE_SOURCE_SCHEMA = {
  oneOf: [
    { type: 'object', title: 'Constant', required: ['value'], additionalProperties: false, properties: { value: { type: 'string', minLength: 1, maxLength: 1024 } } },
    { type: 'object', title: 'From a header', required: ['header'], additionalProperties: false, properties: { header: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 256 } } },
    { type: 'object', title: 'From the body (JSONPath)', required: ['path'], additionalProperties: false, properties: { path: { type: 'string', pattern: '^\\$', maxLength: 1024 } } },
  ],
} as const;

export const WEBHOOK_SOURCE_CONFIG_SCHEMA = {
  type: 'object',
  required: ['sourceId'],
  additionalProperties: false,
  properties: {
    sourceId: {
      type: 'string',
      title: 'Source id',
      description: 'The webhook URL is /webhooks/<source id>. Lower-case letters, digits, "-" and "_".',
      pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
      examples: ['erp-employees'],
    },
    type: { ...VALUE_SOURCE_SCHEMA, title: 'Event type', description: 'Default: the constant "webhook.received".' },
    source: { ...VALUE_SOURCE_SCHEMA, title: 'Event source', description: 'Default: the constant "/webhooks/<source id>".' },
    id: { ...VALUE_SOURCE_SCHEMA, title: 'Event id', description: 'Default: a generated UUID. Use the sender\'s delivery id to deduplicate its retries.' },
    subject: { ...VALUE_SOURCE_SCHEMA, title: 'Event subject', description: 'Optional.' },
  },
} as const;

const FILTER_CONFIG_SCHEMA = {
  type: 'object',
  required: ['pattern'],
  additionalProperties: false,
  properties: {
    pattern: {
      type: 'object',
      title: 'Event pattern',
      description: 'An AWS EventBridge event pattern, applied to the event in structured JSON form.',
      examples: [{ type: ['hr.employee.updated'], data: { status: ['active'] } }],
    },
  },
} as const;

const TRANSFORM_CONFIG_SCHEMA = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['original', 'jsonpath', 'constant', 'template', 'jsonata', 'handlebars'], title: 'Kind' },
  },
} as const;

function prefixed(problems: Problem[], base: string): Problem[] {
  return problems.map((p) => ({ ...p, path: p.path ? `${base}.${p.path}` : base }));
}

export const BUILTIN_NODE_KINDS: readonly NodeKind[] = [
  {
    type: 'source.webhook',
    role: 'source',
    title: 'Webhook',
    description: 'Receives any HTTP body at /webhooks/<source id> and wraps it into a CloudEvent.',
    configSchema: WEBHOOK_SOURCE_CONFIG_SCHEMA,
  },
  {
    type: 'source.bus',
    role: 'source',
    title: 'Bus events',
    description: 'Every event on the flow\'s bus (CloudEvents sent to /events/<bus>, and webhooks of other flows).',
    configSchema: { type: 'object', additionalProperties: false, properties: {} },
  },
  {
    type: 'filter',
    role: 'filter',
    title: 'Filter',
    description: 'Lets through only events that match an event pattern.',
    configSchema: FILTER_CONFIG_SCHEMA,
    checkConfig: (config) => prefixed(validatePattern(config.pattern), 'pattern'),
  },
  {
    type: 'transform',
    role: 'transform',
    title: 'Transform',
    description: 'Reshapes the event: original, JSONPath, constant, input template, JSONata or Handlebars.',
    configSchema: TRANSFORM_CONFIG_SCHEMA,
    checkConfig: (config) => validateTransform(config),
  },
];

/** A catalog of the built-in kinds plus the given (target) kinds. */
export function buildNodeCatalog(extra: readonly NodeKind[] = []): NodeCatalog {
  return new Map([...BUILTIN_NODE_KINDS, ...extra].map((k) => [k.type, k]));
}
