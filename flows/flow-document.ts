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
  /** Connector nodes only: the id of a stored connection whose credentials the connector uses. */
  connection?: string;
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

/** Named retry policies: RocketMQ-EventBridge's two, and AWS EventBridge's default. */
export type DeliveryPreset = 'BACKOFF_RETRY' | 'EXPONENTIAL_DECAY_RETRY' | 'AWS_DEFAULT';

/** How one target's deliveries are retried, paced and shaped. */
export interface DeliveryPolicy {
  /** A named policy; its values apply first, fields set beside it win. Resolved at deploy. */
  preset?: DeliveryPreset;
  /** Attempts in all, the first included (1–185). */
  maxAttempts: number;
  /** Exponential: the first retry delay, doubling each retry. Fixed: the shortest delay. */
  backoffBaseMs: number;
  /** Exponential: no retry waits longer (Retry-After included). Fixed: the longest delay. */
  backoffMaxMs: number;
  /** `exponential` (default) or `fixed` (a random delay between base and max each time). */
  backoff?: 'exponential' | 'fixed';
  /** Exponential only: `full` jitter (default) draws each delay from 0 up to its ceiling; `none` waits the ceiling. */
  jitter?: 'full' | 'none';
  /** Timeout of each attempt. */
  timeoutMs: number;
  /** An event older than this is dead-lettered instead of tried again. */
  maxEventAgeSeconds: number;
  /** JSONPath (e.g. `$.data.employeeId`): events with the same value are delivered one at a time, in order. */
  orderingKey?: string;
  /** Pace of this target, across all workers: requests per second, and requests in flight. */
  rateLimit?: { perSecond?: number; maxInFlight?: number };
  /** After `failureThreshold` consecutive failures, stop calling for `coolDownMs`, then send one probe. */
  circuitBreaker?: { enabled?: boolean; failureThreshold?: number; coolDownMs?: number };
  /** What goes on the wire: the rule's output (`body`, default) or the event as a CloudEvent, with the output as its data. */
  format?: 'body' | 'cloudevents-binary' | 'cloudevents-structured';
  /**
   * Standard Webhooks signature headers, so the receiver can verify flowbridge sent the
   * request. The `whsec_…` secret comes from a stored `hmac` connection (sealed, never
   * shown again) or from an environment variable; never from the flow document.
   */
  signing?: { scheme: 'standard-webhooks'; connection?: string; secretEnv?: string };
  /**
   * A target that receives a `flowbridge.deadletter.created` CloudEvent for each new dead
   * letter; credentials go in a stored connection it names, not in `config`.
   */
  deadLetterAlert?: { type: string; config: Record<string, unknown>; connection?: string };
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  backoffBaseMs: 1000,
  backoffMaxMs: 300_000,
  timeoutMs: 30_000,
  maxEventAgeSeconds: 86_400,
};

/** What each preset sets. */
export const DELIVERY_PRESETS: Readonly<Record<DeliveryPreset, Partial<DeliveryPolicy>>> = {
  // RocketMQ-EventBridge: 3 attempts, 10–20 s apart.
  BACKOFF_RETRY: { maxAttempts: 3, backoff: 'fixed', backoffBaseMs: 10_000, backoffMaxMs: 20_000 },
  // RocketMQ-EventBridge: 1 s doubling to 512 s, up to 176 attempts (about a day).
  EXPONENTIAL_DECAY_RETRY: { maxAttempts: 176, backoff: 'exponential', jitter: 'none', backoffBaseMs: 1000, backoffMaxMs: 512_000, maxEventAgeSeconds: 86_400 },
  // AWS EventBridge: 185 attempts over at most 24 h, exponential with jitter.
  AWS_DEFAULT: { maxAttempts: 185, backoff: 'exponential', jitter: 'full', backoffBaseMs: 1000, backoffMaxMs: 512_000, maxEventAgeSeconds: 86_400 },
};

export const DELIVERY_POLICY_SCHEMA = {
  type: 'object',
  title: 'Delivery policy',
  additionalProperties: false,
  properties: {
    preset: { type: 'string', enum: ['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY', 'AWS_DEFAULT'], title: 'Retry preset', description: 'BACKOFF_RETRY: 3 attempts 10–20 s apart. EXPONENTIAL_DECAY_RETRY: 1 s doubling to 512 s, 176 attempts. AWS_DEFAULT: 185 attempts within 24 h.' },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 185, title: 'Max attempts', default: DEFAULT_DELIVERY_POLICY.maxAttempts },
    backoffBaseMs: { type: 'integer', minimum: 1, maximum: 3_600_000, title: 'First retry delay (ms)', default: DEFAULT_DELIVERY_POLICY.backoffBaseMs },
    backoffMaxMs: { type: 'integer', minimum: 1, maximum: 86_400_000, title: 'Longest retry delay (ms)', default: DEFAULT_DELIVERY_POLICY.backoffMaxMs },
    backoff: { type: 'string', enum: ['exponential', 'fixed'], title: 'Backoff', default: 'exponential' },
    jitter: { type: 'string', enum: ['full', 'none'], title: 'Jitter', default: 'full' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000, title: 'Timeout per attempt (ms)', default: DEFAULT_DELIVERY_POLICY.timeoutMs },
    maxEventAgeSeconds: { type: 'integer', minimum: 60, maximum: 86_400, title: 'Max event age (s)', default: DEFAULT_DELIVERY_POLICY.maxEventAgeSeconds },
    orderingKey: { type: 'string', minLength: 2, maxLength: 500, pattern: '^\\$', title: 'Ordering key (JSONPath)', examples: ['$.data.employeeId'] },
    rateLimit: {
      type: 'object',
      title: 'Rate limit',
      additionalProperties: false,
      properties: {
        perSecond: { type: 'integer', minimum: 1, maximum: 1_000_000, title: 'Requests per second' },
        maxInFlight: { type: 'integer', minimum: 1, maximum: 5000, title: 'Requests in flight' },
      },
    },
    circuitBreaker: {
      type: 'object',
      title: 'Circuit breaker',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', default: true },
        failureThreshold: { type: 'integer', minimum: 1, maximum: 10_000, default: 10, title: 'Consecutive failures that open it' },
        coolDownMs: { type: 'integer', minimum: 10, maximum: 3_600_000, default: 10_000, title: 'Cool-down before a probe (ms)' },
      },
    },
    format: { type: 'string', enum: ['body', 'cloudevents-binary', 'cloudevents-structured'], title: 'Outbound format', default: 'body' },
    signing: {
      type: 'object',
      title: 'Signing',
      required: ['scheme'],
      additionalProperties: false,
      properties: {
        scheme: { type: 'string', enum: ['standard-webhooks'] },
        connection: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', title: 'Stored hmac connection with the secret (whsec_…)' },
        secretEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]{0,99}$', title: 'Environment variable holding the secret (whsec_…)' },
      },
    },
    deadLetterAlert: {
      type: 'object',
      title: 'Dead-letter alert target',
      required: ['type', 'config'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', pattern: '^target\\.', maxLength: 100 },
        config: { type: 'object' },
        connection: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', title: 'Stored connection' },
      },
    },
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
          connection: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', title: 'Connection' },
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
