// The CloudEvents 1.0 HTTP binding, sending side, for the cloudevents connector (which may
// only import connectors/spi, so it carries its own small encoder).

export type CloudEventJson = Record<string, unknown> & { specversion: string; id: string; source: string; type: string };

export interface EncodedCloudEvent {
  headers: Record<string, string>;
  body: Buffer;
}

/** Percent-encodes a header value as the HTTP binding requires (§3.1.3.2): space, `"`, `%` and everything outside printable ASCII, as UTF-8. */
export function encodeCeHeaderValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && ch !== '"' && ch !== '%') out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Structured mode: the whole event as `application/cloudevents+json`. */
export function encodeStructured(event: CloudEventJson): EncodedCloudEvent {
  return { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: Buffer.from(JSON.stringify(event), 'utf8') };
}

function isJsonType(contentType: string): boolean {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

/** Binary mode: attributes as `ce-*` headers, `datacontenttype` as Content-Type, the data as the body. */
export function encodeBinary(event: CloudEventJson): EncodedCloudEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined || value === null) continue;
    headers[`ce-${name}`] = encodeCeHeaderValue(typeof value === 'string' ? value : String(value));
  }
  const contentType = typeof event.datacontenttype === 'string' ? event.datacontenttype : undefined;
  if (typeof event.data_base64 === 'string') {
    if (contentType) headers['content-type'] = contentType;
    return { headers, body: Buffer.from(event.data_base64, 'base64') };
  }
  if (event.data === undefined) {
    if (contentType) headers['content-type'] = contentType;
    return { headers, body: Buffer.alloc(0) };
  }
  headers['content-type'] = contentType ?? 'application/json';
  const asJson = typeof event.data !== 'string' || isJsonType(headers['content-type']);
  return { headers, body: Buffer.from(asJson ? JSON.stringify(event.data) : (event.data as string), 'utf8') };
}
