import crypto from 'node:crypto';
import type { HttpClient, HttpRequest } from '../../connectors/spi/http-client.ts';
import type { DeliveryPolicy } from '../../flows/flow-document.ts';
import type { StoredEvent } from '../ingest/binding/cloudevents-binding.ts';
import { encodeCloudEventBinary, encodeCloudEventStructured } from '../ingest/binding/cloudevents-encode.ts';

// What a target receives is shaped here, around the connector: the connector builds its
// request (URL, auth, custom headers, body) and the delivery layer then puts the event
// in CloudEvents form and signs the exact bytes that go on the wire. The request to
// shape is the one carrying this delivery's Idempotency-Key; anything else the
// connector sends (an OAuth2 token request) passes untouched.

export interface OutboundShape {
  idempotencyKey: string;
  format: NonNullable<DeliveryPolicy['format']>;
  /** The Standard Webhooks key, when the target asks for signatures. */
  signingKey: Buffer | undefined;
  /** The original event. */
  event: Record<string, unknown>;
  /** The rule's output, and whether a transform made it (without one, the event goes as it came). */
  body: unknown;
  output: 'json' | 'text';
  transformed: boolean;
}

/** The CloudEvent a target in a CloudEvents format receives: the event, with the rule's output as its data. */
export function outboundCloudEvent(shape: Pick<OutboundShape, 'event' | 'body' | 'output' | 'transformed'>): StoredEvent {
  const event = { ...shape.event } as StoredEvent;
  if (!shape.transformed) return event;
  delete event.data_base64;
  event.data = shape.body;
  event.datacontenttype = shape.output === 'text' ? 'text/plain; charset=utf-8' : 'application/json';
  return event;
}

/** The key bytes of a Standard Webhooks secret (`whsec_` + base64). */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Standard Webhooks headers for one request: `webhook-id` (the idempotency key: the same
 * on every retry), `webhook-timestamp` (seconds) and `webhook-signature`
 * (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).
 */
export function signStandardWebhook(key: Buffer, id: string, body: string | Uint8Array, nowMs: number = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const mac = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Rewrites the delivery's own request: CloudEvents form, then the signature over the final body. */
export function shapeOutboundRequest(req: HttpRequest, shape: OutboundShape): HttpRequest {
  if (headerOf(req.headers, 'idempotency-key') !== shape.idempotencyKey) return req;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  let body = req.body;
  if (shape.format === 'cloudevents-binary' || shape.format === 'cloudevents-structured') {
    const ce = outboundCloudEvent(shape);
    const encoded = shape.format === 'cloudevents-binary' ? encodeCloudEventBinary(ce) : encodeCloudEventStructured(ce);
    delete headers['content-type'];
    Object.assign(headers, encoded.headers);
    body = encoded.body;
  }
  if (shape.signingKey) Object.assign(headers, signStandardWebhook(shape.signingKey, shape.idempotencyKey, body ?? ''));
  return { ...req, headers, body };
}

/** An HTTP client that shapes this delivery's request on its way out; everything else is the client given. */
export function createOutboundHttp(http: HttpClient, shape: OutboundShape): HttpClient {
  if (shape.format === 'body' && !shape.signingKey) return http;
  return {
    request: (req) => http.request(shapeOutboundRequest(req, shape)),
    send: (req) => http.send(shapeOutboundRequest(req, shape)),
    close: () => http.close(),
    resolveHost: http.resolveHost?.bind(http),
  };
}
