import type { HttpClient } from './http-client.ts';

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
  /** The decrypted connection, when the target names one. */
  connection: Record<string, unknown> | undefined;
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
}

export interface SendResult {
  status?: number;
  responseExcerpt?: string;
}

export interface ConnectionCheck {
  ok: boolean;
  message: string;
}

/**
 * A connector declares itself once: its config as JSON Schema (which validates on the
 * server, draws the editor's form and documents it) and what it can do. A failed `send`
 * throws a DeliveryError with its kind; any other throw is treated as retryable.
 */
export interface Connector<Config = Record<string, unknown>> {
  /** Lower kebab id; the node type is `target.<id>`. */
  id: string;
  version: string;
  title: string;
  summary: string;
  category: string;
  /** JSON Schema (draft-07) of the config, with titles, descriptions, defaults and examples. */
  configSchema: object;
  /** Connection kinds it accepts (none yet for most). */
  connectionKinds: readonly string[];
  send?(input: SendInput, ctx: ConnectorContext<Config>): Promise<SendResult>;
  /** Checks that the target is reachable with this config; never throws. */
  testConnection?(ctx: ConnectorContext<Config>): Promise<ConnectionCheck>;
}
