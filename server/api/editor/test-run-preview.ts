// The two parts of the editor's test run that only the server can do exactly: wrapping a
// raw webhook request into a CloudEvent as ingest would, and the request a target's
// connector would send. Nothing is persisted, routed or sent.
import type { IncomingHttpHeaders } from 'node:http';
import type { Connector } from '../../../connectors/spi/connector.ts';
import { DeliveryError } from '../../../connectors/spi/failure.ts';
import type { HttpClient, HttpRequest } from '../../../connectors/spi/http-client.ts';
import { FlowbridgeError } from '../../../flows/error-codes.ts';
import { DEFAULT_BUS } from '../../../flows/flow.compiler.ts';
import { DEFAULT_DELIVERY_POLICY } from '../../../flows/flow-document.ts';
import { WEBHOOK_SOURCE_CONFIG_SCHEMA, type WebhookSourceConfig } from '../../../flows/node-kinds.ts';
import { checkSchema } from '../../../flows/schema-check.ts';
import { idempotencyKeyFor } from '../../delivery/delivery-job.ts';
import { buildWebhookEvent } from '../../ingest/webhook.ingest.ts';
import type { StoredEvent } from '../../store/event-store.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface WebhookEventInput {
  /** The webhook source node's config (as edited, saved or not). */
  config: unknown;
  headers?: Record<string, string>;
  /** The request body: text as sent, or a JSON value (sent as application/json). */
  body: unknown;
  bodyEncoding?: 'utf8' | 'base64';
}

/** The CloudEvent ingest would build from this webhook request; FlowbridgeError (400) when it would refuse it. */
export async function previewWebhookEvent(input: unknown): Promise<StoredEvent> {
  if (!isObject(input) || !('config' in input) || !('body' in input)) {
    throw new FlowbridgeError('ERR_VALIDATION', 'Send {"config": <webhook source config>, "headers": {…}, "body": …}');
  }
  const { config, headers = {}, body, bodyEncoding } = input as unknown as WebhookEventInput;
  const problems = checkSchema(WEBHOOK_SOURCE_CONFIG_SCHEMA, config, 'config', 'ERR_VALIDATION');
  if (problems.length) throw new FlowbridgeError('ERR_VALIDATION', `The webhook source settings are invalid: ${problems[0]!.message}`, problems);
  if (!isObject(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new FlowbridgeError('ERR_VALIDATION', '"headers" must be an object of header names to strings', [{ path: 'headers' }]);
  }
  const lower: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v as string;
  let raw: Buffer;
  if (typeof body === 'string') raw = Buffer.from(body, bodyEncoding === 'base64' ? 'base64' : 'utf8');
  else {
    raw = Buffer.from(JSON.stringify(body ?? null));
    lower['content-type'] ??= 'application/json';
  }
  const cfg = config as WebhookSourceConfig;
  return await buildWebhookEvent({ sourceId: cfg.sourceId, flowId: 'preview', nodeId: 'preview', bus: DEFAULT_BUS, config: cfg }, lower, raw);
}

export interface TargetRequestPreview {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null } | null;
  note?: string;
}

class PreviewComplete extends Error {}

/** An HttpClient that records the first request and sends nothing. */
function recordingClient(record: (req: HttpRequest) => void): HttpClient {
  const stop = (req: HttpRequest): never => {
    record(req);
    throw new PreviewComplete('preview');
  };
  return { request: async (req) => stop(req), send: async (req) => stop(req), close: async () => undefined };
}

/**
 * The exact request the target's connector would send for this body: the connector's own
 * `send` runs with an HTTP client that records instead of sending. Config problems are a
 * 400 with every problem; connectors that do not speak HTTP answer `request: null`.
 */
export async function previewTargetRequest(connector: Connector<never> | undefined, input: unknown): Promise<TargetRequestPreview> {
  if (!isObject(input) || !isObject(input.target) || typeof input.target.type !== 'string') {
    throw new FlowbridgeError('ERR_VALIDATION', 'Send {"target": {"type", "config"}, "body", "output", "event", "ruleId"?, "bus"?}');
  }
  if (!connector?.send) throw new FlowbridgeError('ERR_VALIDATION', `No connector can send for target type "${input.target.type}"`, [{ path: 'target.type' }]);
  const config = input.target.config ?? {};
  const problems = checkSchema(connector.configSchema, config, 'target.config', 'ERR_FLOW_NODE_CONFIG');
  for (const p of problems.length ? [] : (connector.validateConfig?.(config as never) ?? [])) {
    problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path: `target.config${p.path.replace(/\/([^/]+)/g, '.$1')}`, message: `target.config${p.path.replace(/\//g, '.')}: ${p.message}` });
  }
  if (problems.length) throw new FlowbridgeError('ERR_FLOW_NODE_CONFIG', `The target settings are invalid: ${problems[0]!.message}`, problems);
  const event = (isObject(input.event) ? input.event : {}) as Record<string, unknown>;
  const ruleId = typeof input.ruleId === 'string' ? input.ruleId : 'preview';
  const bus = typeof input.bus === 'string' ? input.bus : DEFAULT_BUS;
  const idempotencyKey = idempotencyKeyFor(bus, { source: String(event.source ?? ''), id: String(event.id ?? '') }, ruleId);
  let recorded: HttpRequest | undefined;
  try {
    await connector.send(
      { body: input.body, output: input.output === 'text' ? 'text' : 'json', event },
      {
        config: config as never,
        connection: undefined,
        idempotencyKey,
        attempt: 1,
        signal: new AbortController().signal,
        timeoutMs: DEFAULT_DELIVERY_POLICY.timeoutMs,
        http: recordingClient((req) => (recorded = req)),
      },
    );
  } catch (err) {
    if (!(err instanceof PreviewComplete)) {
      const message = err instanceof DeliveryError || err instanceof Error ? err.message : String(err);
      throw new FlowbridgeError('ERR_VALIDATION', `The connector could not build its request: ${message}`);
    }
  }
  if (!recorded) return { request: null, note: 'This connector does not send an HTTP request; it would receive the body shown.' };
  const body = recorded.body === undefined ? null : typeof recorded.body === 'string' ? recorded.body : Buffer.from(recorded.body).toString('utf8');
  return { request: { method: recorded.method, url: recorded.url, headers: recorded.headers ?? {}, body } };
}
