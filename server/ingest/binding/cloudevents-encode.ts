// The CloudEvents HTTP binding, sending side: what the delivery worker puts on the wire for a
// target that takes CloudEvents. The exact inverse of the receiving side for every event it
// can store (one exception: text data "" has no binary-mode form distinct from no data).

import type { StoredEvent } from './cloudevents-binding.ts';
import { encodeHeaderValue } from './header-value.ts';
import { isJsonMediaType, parseMediaType } from './media-type.ts';

export interface EncodedRequest {
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Renders an event in structured mode: the JSON event format as the body. */
export function encodeCloudEventStructured(event: StoredEvent): EncodedRequest {
  return {
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(event), 'utf8'),
  };
}

/**
 * Renders an event in binary mode: attributes as percent-encoded `ce-*` headers,
 * `datacontenttype` as Content-Type and the data's bytes as the body.
 */
export function encodeCloudEventBinary(event: StoredEvent): EncodedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined || value === null) continue;
    headers[`ce-${name}`] = typeof value === 'string' ? encodeHeaderValue(value) : String(value);
  }
  const contentType = typeof event.datacontenttype === 'string' ? event.datacontenttype : undefined;
  if (typeof event.data_base64 === 'string') {
    if (contentType !== undefined) headers['content-type'] = contentType;
    return { headers, body: Buffer.from(event.data_base64, 'base64') };
  }
  if (event.data === undefined) {
    if (contentType !== undefined) headers['content-type'] = contentType;
    return { headers, body: Buffer.alloc(0) };
  }
  // JSON format §3.1: no datacontenttype means application/json, and a re-encoding SHOULD
  // say so explicitly.
  headers['content-type'] = contentType ?? 'application/json';
  const media = parseMediaType(headers['content-type']);
  const asJson = typeof event.data !== 'string' || (media !== undefined && isJsonMediaType(media));
  return { headers, body: Buffer.from(asJson ? JSON.stringify(event.data) : (event.data as string), 'utf8') };
}
