// The CloudEvents 1.0.2 HTTP protocol binding, receiving side: one HTTP request in, the events
// it carries out, exactly as sent, or a FlowbridgeError saying why not. Pure: the caller has
// already read the body (within its own byte limit) and decides what to store.

import { FlowbridgeError, type Problem } from '../../../flows/error-codes.ts';
import { describeJsonType, quote, validateCloudEvent } from './cloudevent.validation.ts';
import { decodeHeaderValue } from './header-value.ts';
import { scanJsonMembers, type JsonMemberShape } from './json-shape.ts';
import { isJsonMediaType, isTextualMediaType, parseMediaType, type MediaType } from './media-type.ts';

/** A CloudEvent as flowbridge stores it: the structured JSON form, attributes as sent. */
export interface StoredEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  [attr: string]: unknown;
  data?: unknown;
  data_base64?: string;
}

export interface BindingLimits {
  /** Largest event, in wire bytes (binary: body plus `ce-*` and Content-Type headers; structured: body; batch: the member's bytes). */
  maxEventBytes: number;
  /** Largest request body, in bytes. */
  maxRequestBytes: number;
  /** Deepest JSON nesting of one event, the event object counting as level 1. */
  maxDepth: number;
}

export const DEFAULT_BINDING_LIMITS: Readonly<BindingLimits> = Object.freeze({
  maxEventBytes: 256 * 1024,
  maxRequestBytes: 1024 * 1024,
  maxDepth: 64,
});

export type ContentMode = 'binary' | 'structured' | 'batch';

export interface CloudEventsRequest {
  /** Header names in any case; Node's lower-cased `IncomingMessage.headers` fits as is. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ParsedCloudEvents {
  mode: ContentMode;
  events: StoredEvent[];
}

/** A problem with one event of a request; `index` is the batch member, absent otherwise. */
export interface EventProblem extends Problem {
  index?: number;
}

const INVALID = 'ERR_INGEST_INVALID_EVENT';
const MAX_REPORTED_PROBLEMS = 100;
const JSON_TEXT = new TextDecoder('utf-8', { fatal: true });
const RAW_TEXT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses one HTTP request into the CloudEvents it carries, exactly as sent, choosing the mode by
 * Content-Type alone. Throws FlowbridgeError: 413 ERR_BODY_TOO_LARGE / ERR_INGEST_EVENT_TOO_LARGE,
 * 415 ERR_UNSUPPORTED_MEDIA_TYPE, 400 ERR_BAD_REQUEST / ERR_BODY_INVALID_JSON /
 * ERR_INGEST_INVALID_EVENT (details: EventProblem[], with the member index for batches).
 */
export function parseCloudEventsRequest(req: CloudEventsRequest, limits?: Partial<BindingLimits>): ParsedCloudEvents {
  const lim: BindingLimits = { ...DEFAULT_BINDING_LIMITS, ...limits };
  if (req.body.length > lim.maxRequestBytes) {
    throw new FlowbridgeError('ERR_BODY_TOO_LARGE', `The request body has ${req.body.length} bytes; the limit is ${lim.maxRequestBytes}`);
  }
  const headers = normalizeHeaders(req.headers);
  const contentType = headers.get('content-type');
  if (Array.isArray(contentType)) throw new FlowbridgeError('ERR_BAD_REQUEST', 'The Content-Type header was sent more than once');
  const mode = selectContentMode(contentType);
  if (mode === 'binary') return { mode, events: [parseBinary(headers, contentType, req.body, lim)] };
  const media = parseMediaType(contentType ?? '');
  if (!media) throw new FlowbridgeError('ERR_BAD_REQUEST', `The Content-Type ${quote(contentType ?? '')} is not a valid media type`);
  const expected = mode === 'batch' ? 'application/cloudevents-batch+json' : 'application/cloudevents+json';
  if (media.essence !== expected) {
    throw new FlowbridgeError(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      `${media.essence} is not supported; flowbridge reads the JSON event format (${expected}) in ${mode} mode`,
    );
  }
  const charset = media.params.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    throw new FlowbridgeError('ERR_UNSUPPORTED_MEDIA_TYPE', `The charset ${quote(charset)} is not supported; JSON event bodies are UTF-8`);
  }
  return mode === 'batch' ? { mode, events: parseBatch(req.body, lim) } : { mode, events: [parseStructured(req.body, lim)] };
}

/**
 * The content mode a Content-Type selects (HTTP binding §3): the batch prefix is tested before
 * the structured one, which it contains; anything else, or no Content-Type, is binary.
 */
export function selectContentMode(contentType: string | undefined): ContentMode {
  const value = (contentType ?? '').trimStart().toLowerCase();
  if (value.startsWith('application/cloudevents-batch')) return 'batch';
  if (value.startsWith('application/cloudevents')) return 'structured';
  return 'binary';
}

function normalizeHeaders(headers: CloudEventsRequest['headers']): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const key = name.toLowerCase();
    const prior = out.get(key);
    // Two spellings of one header name are the same header sent twice.
    out.set(key, prior === undefined ? value : [prior, value].flat());
  }
  return out;
}

function parseStructured(body: Buffer, lim: BindingLimits): StoredEvent {
  if (body.length > lim.maxEventBytes) throw eventTooLarge(body.length, lim);
  const value = parseJsonBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const hint = Array.isArray(value) ? '; send arrays of events as application/cloudevents-batch+json' : '';
    throw invalid([{ code: INVALID, path: '', message: `a structured-mode body must be a JSON object; found ${describeJsonType(value)}${hint}` }]);
  }
  const [shape] = scanJsonMembers(body, 0);
  const problems = shape ? shapeProblems(shape, '', lim) : [];
  if (problems.length === 0) problems.push(...validateCloudEvent(value));
  if (problems.length > 0) throw invalid(problems);
  return toStoredEvent(value as Record<string, unknown>);
}

function parseBatch(body: Buffer, lim: BindingLimits): StoredEvent[] {
  const value = parseJsonBody(body);
  if (!Array.isArray(value)) {
    throw invalid([{ code: INVALID, path: '', message: `a batch body must be a JSON array of events; found ${describeJsonType(value)}` }]);
  }
  const shapes = scanJsonMembers(body, 1);
  // Size first, for every member: a 413 tells the sender to split, whatever else is wrong.
  shapes.forEach((shape, index) => {
    const bytes = shape.end - shape.start;
    if (bytes > lim.maxEventBytes) throw eventTooLarge(bytes, lim, index);
  });
  const problems: EventProblem[] = [];
  for (let index = 0; index < value.length && problems.length < MAX_REPORTED_PROBLEMS; index++) {
    const shape = shapes[index];
    const path = `[${index}]`;
    const found = shape ? shapeProblems(shape, path, lim) : [];
    if (found.length === 0) found.push(...validateCloudEvent(value[index], path));
    for (const problem of found) problems.push({ ...problem, index });
  }
  if (problems.length > 0) throw invalid(problems.slice(0, MAX_REPORTED_PROBLEMS));
  return value.map((event) => toStoredEvent(event as Record<string, unknown>));
}

// Problems JSON.parse cannot see: nesting beyond the limit, an attribute named twice.
function shapeProblems(shape: JsonMemberShape, path: string, lim: BindingLimits): Problem[] {
  if (shape.depth > lim.maxDepth) {
    return [{ code: INVALID, path, message: `the event nests ${shape.depth} levels deep; the limit is ${lim.maxDepth}` }];
  }
  if (shape.duplicateKey !== undefined) {
    const name = shape.duplicateKey;
    return [{ code: INVALID, path: path ? `${path}.${name}` : name, message: `the member ${quote(name)} appears more than once` }];
  }
  return [];
}

function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = JSON_TEXT.decode(body);
  } catch {
    throw new FlowbridgeError('ERR_BODY_INVALID_JSON', 'The request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FlowbridgeError('ERR_BODY_INVALID_JSON', `The request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseBinary(
  headers: Map<string, string | string[]>,
  contentType: string | undefined,
  body: Buffer,
  lim: BindingLimits,
): StoredEvent {
  const problems: Problem[] = [];
  // Only names that pass the [a-z0-9]+ test are assigned, so no header can reach an
  // inherited property such as __proto__.
  const event: Record<string, unknown> = {};
  let wireBytes = body.length + (contentType === undefined ? 0 : 'content-type'.length + contentType.length);
  let attributeCount = 0;
  for (const [header, value] of headers) {
    if (!header.startsWith('ce-')) continue;
    attributeCount++;
    const name = header.slice(3);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) wireBytes += header.length + v.length;
    const problem = checkBinaryHeader(name, values);
    if (problem) {
      problems.push({ code: INVALID, path: name, message: `header ${quote(header)} ${problem}` });
      continue;
    }
    const decoded = decodeHeaderValue(values[0] as string);
    if (!decoded.ok) problems.push({ code: INVALID, path: name, message: `header ${quote(header)} ${decoded.reason}` });
    else event[name] = decoded.value;
  }
  if (wireBytes > lim.maxEventBytes) throw eventTooLarge(wireBytes, lim);
  if (attributeCount === 0) {
    throw invalid([
      {
        code: INVALID,
        path: '',
        message:
          'no ce-* headers: a binary-mode CloudEvent needs ce-specversion, ce-id, ce-source and ce-type headers ' +
          '(for an event in the body, send Content-Type application/cloudevents+json)',
      },
    ]);
  }
  if (contentType !== undefined) event.datacontenttype = contentType;
  const media = contentType === undefined ? undefined : parseMediaType(contentType);
  const data = readBinaryData(body, media, lim);
  if ('problem' in data) problems.push({ code: INVALID, path: 'data', message: data.problem });
  else if ('data' in data) event.data = data.data;
  else if ('base64' in data) event.data_base64 = data.base64;
  if (problems.length === 0) problems.push(...validateCloudEvent(event));
  if (problems.length > 0) throw invalid(problems);
  return event as StoredEvent;
}

function checkBinaryHeader(name: string, values: string[]): string | undefined {
  if (!/^[a-z0-9]+$/.test(name)) return 'does not name a valid attribute: names consist of lower-case letters a-z and digits 0-9';
  if (name === 'datacontenttype') return 'must not be sent in binary mode: the Content-Type header carries datacontenttype';
  if (name === 'data') return 'names the reserved attribute "data"';
  if (values.length !== 1) return 'was sent more than once; an attribute appears at most once';
  return undefined;
}

type BinaryData = { problem: string } | { data: unknown } | { base64: string } | { none: true };

/**
 * The body of a binary-mode request as event data: JSON media types become their JSON value
 * (so the structured form holds JSON, not a string of JSON); UTF-8 text media types become a
 * string; everything else, and text that is not valid in its declared charset, is kept
 * byte-exact as data_base64. An empty body is an event without data.
 */
function readBinaryData(body: Buffer, media: MediaType | undefined, lim: BindingLimits): BinaryData {
  if (body.length === 0) return { none: true };
  if (media && isJsonMediaType(media)) {
    let value: unknown;
    try {
      value = JSON.parse(JSON_TEXT.decode(body)) as unknown;
    } catch (err) {
      const reason = err instanceof SyntaxError ? err.message : 'it is not valid UTF-8';
      return { problem: `the body is not valid JSON although Content-Type declares JSON: ${reason}` };
    }
    const [shape] = scanJsonMembers(body, 0);
    // The data sits one level below the event object.
    const depth = (shape?.depth ?? 0) + 1;
    if (depth > lim.maxDepth) return { problem: `the event nests ${depth} levels deep; the limit is ${lim.maxDepth}` };
    return { data: value };
  }
  if (media && isTextualMediaType(media)) {
    const text = decodeText(body, media.params.get('charset'));
    if (text !== undefined) return { data: text };
  }
  return { base64: body.toString('base64') };
}

function decodeText(body: Buffer, charset: string | undefined): string | undefined {
  const cs = charset?.toLowerCase();
  if (cs === 'us-ascii') return body.every((b) => b < 0x80) ? body.toString('latin1') : undefined;
  if (cs !== undefined && cs !== 'utf-8') return undefined;
  try {
    return RAW_TEXT.decode(body);
  } catch {
    return undefined;
  }
}

function eventTooLarge(bytes: number, lim: BindingLimits, index?: number): FlowbridgeError {
  const which = index === undefined ? 'The event' : `Event [${index}]`;
  const details = index === undefined ? [] : [{ index, path: `[${index}]` }];
  return new FlowbridgeError('ERR_INGEST_EVENT_TOO_LARGE', `${which} has ${bytes} bytes; the limit is ${lim.maxEventBytes}`, details);
}

function invalid(problems: EventProblem[]): FlowbridgeError {
  const [first] = problems;
  const where = first?.index === undefined ? 'The event' : `Event [${first.index}]`;
  const path = first?.path ? `${first.path}: ` : '';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more; see details)` : '';
  return new FlowbridgeError(INVALID, `${where} is invalid: ${path}${first?.message ?? 'unknown problem'}${more}`, problems);
}

/**
 * Turns a valid structured-form event into the stored form: attributes that were JSON `null`
 * (and a `null` data_base64) are dropped, since the spec treats them as absent; everything
 * else is kept exactly as sent, in the order sent. Mutates and returns the parsed object.
 */
export function toStoredEvent(event: Record<string, unknown>): StoredEvent {
  for (const name of Object.keys(event)) {
    if (name !== 'data' && event[name] === null) delete event[name];
  }
  return event as StoredEvent;
}
