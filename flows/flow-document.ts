// The FlowDocument: what the editor draws and the API stores. A flow is a graph of
// nodes (sources → filters / transforms → targets) joined by edges. It is plain JSON
// so it can be exported, diffed, and kept in version control.

/** A node of a flow. `type` picks the kind (`source.webhook`, `filter`, `transform`, `target.http`, …). */
export interface FlowNode {
  id: string;
  type: string;
  name?: string;
  /** Canvas position, used only by the editor. */
  position?: { x: number; y: number };
  /** Kind-specific settings; for targets, validated against the connector's schema. */
  config: Record<string, unknown>;
  /** Target nodes only: overrides of the flow's default delivery policy. */
  delivery?: Partial<DeliveryPolicy>;
}

export interface FlowEdge {
  id?: string;
  source: string;
  target: string;
}

export interface FlowDocument {
  /** Stable id (lower-case letters, digits, `-` and `_`); assigned by the server when absent. */
  id?: string;
  name: string;
  description?: string;
  /** Server-managed revision; PUT must send the version it edited (optimistic locking). */
  version?: number;
  /** The bus this flow reads from. Default `default`. */
  bus?: string;
  defaults?: { delivery?: Partial<DeliveryPolicy> };
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** How one target's deliveries are retried. */
export interface DeliveryPolicy {
  /** Attempts in all, the first included (1–185). */
  maxAttempts: number;
  /** First retry delay; doubles each retry, with full jitter. */
  backoffBaseMs: number;
  /** No retry waits longer than this (Retry-After included). */
  backoffMaxMs: number;
  /** Timeout of each attempt. */
  timeoutMs: number;
  /** An event older than this is dead-lettered instead of tried again. */
  maxEventAgeSeconds: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  backoffBaseMs: 1000,
  backoffMaxMs: 300_000,
  timeoutMs: 30_000,
  maxEventAgeSeconds: 86_400,
};

export const DELIVERY_POLICY_SCHEMA = {
  type: 'object',
  title: 'Delivery policy',
  additionalProperties: false,
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 185, title: 'Max attempts', default: DEFAULT_DELIVERY_POLICY.maxAttempts },
    backoffBaseMs: { type: 'integer', minimum: 1, maximum: 3_600_000, title: 'First retry delay (ms)', default: DEFAULT_DELIVERY_POLICY.backoffBaseMs },
    backoffMaxMs: { type: 'integer', minimum: 1, maximum: 86_400_000, title: 'Longest retry delay (ms)', default: DEFAULT_DELIVERY_POLICY.backoffMaxMs },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000, title: 'Timeout per attempt (ms)', default: DEFAULT_DELIVERY_POLICY.timeoutMs },
    maxEventAgeSeconds: { type: 'integer', minimum: 1, maximum: 86_400, title: 'Max event age (s)', default: DEFAULT_DELIVERY_POLICY.maxEventAgeSeconds },
  },
} as const;

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$';

/** JSON Schema (draft-07) of a FlowDocument's structure; node configs are checked per kind. */
export const FLOW_DOCUMENT_SCHEMA = {
  $id: 'https://flowbridge.dev/schemas/flow-document.json',
  type: 'object',
  required: ['name', 'nodes', 'edges'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    version: { type: 'integer', minimum: 1 },
    bus: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    defaults: {
      type: 'object',
      additionalProperties: false,
      properties: { delivery: DELIVERY_POLICY_SCHEMA },
    },
    nodes: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'type', 'config'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: ID_PATTERN },
          type: { type: 'string', minLength: 1, maxLength: 100 },
          name: { type: 'string', maxLength: 200 },
          position: {
            type: 'object',
            required: ['x', 'y'],
            additionalProperties: false,
            properties: { x: { type: 'number' }, y: { type: 'number' } },
          },
          config: { type: 'object' },
          delivery: DELIVERY_POLICY_SCHEMA,
        },
      },
    },
    edges: {
      type: 'array',
      maxItems: 5000,
      items: {
        type: 'object',
        required: ['source', 'target'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', maxLength: 200 },
          source: { type: 'string', pattern: ID_PATTERN },
          target: { type: 'string', pattern: ID_PATTERN },
        },
      },
    },
  },
} as const;
