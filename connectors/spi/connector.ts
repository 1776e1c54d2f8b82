import type { Connection, ConnectionKind } from './connection.ts';
import type { TokenCache } from './connection-auth.ts';
import type { FailureInfo } from './failure.ts';
import type { HttpClient, HttpResponse } from './http-client.ts';

/** What a target connector is asked to deliver: the output of the rule's steps, and the original event. */
export interface SendInput {
  /** The transformed body (or the whole event in structured JSON form when the rule has no transform). */
  body: unknown;
  /** `text` when the last transform produced text (Handlebars, string templates). */
  output: 'json' | 'text';
  /** The original event, structured JSON form. */
  event: Record<string, unknown>;
}

export interface ConnectorContext<Config> {
  /** The node's config, already validated against the connector's schema. */
  config: Config;
  /** The decrypted connection, when the target names one (checked with `parseConnection`). */
  connection: Connection | undefined;
  /** Stable for one (event, rule): the same on every retry and on redrive. Send it so targets can deduplicate. */
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted on shutdown; the HTTP client honours it. */
  signal: AbortSignal;
  /** Timeout for this attempt, from the delivery policy. */
  timeoutMs: number;
  /** An HTTP client that refuses private addresses and classifies failures. */
  http: HttpClient;
  /** Where OAuth2 tokens are cached; the process-wide cache when absent. */
  tokens?: TokenCache;
}

export interface SendResult {
  status?: number;
  responseExcerpt?: string;
}

export interface ConnectionCheck {
  ok: boolean;
  message: string;
}

/** A problem `validateConfig` found beyond the JSON Schema, with the config path it concerns. */
export interface ConfigProblem {
  /** JSON Pointer into the config, e.g. `/url` or `/mappings/1/path`. */
  path: string;
  /** Stable code, e.g. `ERR_CONNECTOR_PLACEHOLDER`, `ERR_CONNECTOR_CRON`. */
  code: string;
  message: string;
}

/** An invocation rate limit a target declares in its config; enforced by the server across all workers. */
export interface RateLimit {
  /** At most this many invocations ... */
  max: number;
  /** ... per this many milliseconds. */
  durationMs: number;
}

/** One event a source produces; the server wraps it into a CloudEvent with the source node's `source`. */
export interface SourceEvent {
  /** Stable for the same item or tick, so a repeated poll produces the same id (the ingest deduplicates on it). */
  id: string;
  type: string;
  subject?: string;
  /** RFC 3339. */
  time?: string;
  data: unknown;
  /** Extra CloudEvents extension attributes (lower-case alphanumeric names). */
  extensions?: Record<string, string>;
}

export interface PollContext<Config> {
  config: Config;
  connection: Connection | undefined;
  /** The time of this poll (the tick time for schedules); connectors use it instead of the clock. */
  now: Date;
  signal: AbortSignal;
  timeoutMs: number;
  http: HttpClient;
  tokens?: TokenCache;
}

export interface PollResult<Cursor> {
  /** New events, oldest first. */
  events: SourceEvent[];
  /** To store (as JSON) and pass to the next poll; store it only after the events are persisted. */
  cursor: Cursor;
  /** When to poll next (RFC 3339). */
  nextPollAt: string;
}

/**
 * A connector declares itself once: its config as JSON Schema (which validates on the
 * server, draws the editor's form and documents it) and what it can do. A failed `send`
 * or `poll` throws a DeliveryError with its kind; any other throw is treated as retryable.
 */
export interface Connector<Config = Record<string, unknown>, Cursor = unknown> {
  /** Lower kebab id; the node type is `target.<id>` (with `send`) or `source.<id>` (with `poll`). */
  id: string;
  version: string;
  title: string;
  summary: string;
  category: string;
  /** A single emoji for the editor's palette. */
  icon?: string;
  /** JSON Schema (draft-07) of the config, with titles, descriptions, defaults and examples. */
  configSchema: object;
  /** Connection kinds it accepts; empty when it takes none. */
  connectionKinds: readonly ConnectionKind[];
  /** Whether a target without a connection is a config error. */
  connectionRequired?: boolean;
  /** Target capability: delivers one event. */
  send?(input: SendInput, ctx: ConnectorContext<Config>): Promise<SendResult>;
  /** Source capability: fetches what is new since `cursor` (undefined on the first poll). */
  poll?(ctx: PollContext<Config>, cursor: Cursor | undefined): Promise<PollResult<Cursor>>;
  /** Checks that the target or source is reachable with this config; never throws. */
  testConnection?(ctx: ConnectorContext<Config>): Promise<ConnectionCheck>;
  /** Deploy-time checks the schema cannot express (placeholders, cron, JSONPath); never throws. */
  validateConfig?(config: Config): ConfigProblem[];
  /** Reclassifies an HTTP response: a FailureInfo makes even a 2xx a failure (Slack's `{"ok": false}`). */
  refineFailure?(response: HttpResponse): FailureInfo | undefined;
  /** The invocation rate limit the config declares, if any. */
  rateLimit?(config: Config): RateLimit | undefined;
  /** Releases pooled resources (database pools, SMTP transports) at shutdown. */
  dispose?(): Promise<void>;
}
