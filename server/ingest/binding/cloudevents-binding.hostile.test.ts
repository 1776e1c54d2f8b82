// Hostile and malformed input: whatever arrives, the parser answers with a FlowbridgeError of
// status 400, 413 or 415, or with valid events, and never throws anything else, hangs, or
// touches a prototype.

import { afterEach, describe, expect, it } from 'vitest';
import { FlowbridgeError } from '../../../flows/error-codes.ts';
import { parseCloudEventsRequest, type EventProblem } from './cloudevents-binding.ts';

const BASE = { specversion: '1.0', id: 'a', source: '/s', type: 't' };
const CE = { 'ce-specversion': '1.0', 'ce-id': 'a', 'ce-source': '/s', 'ce-type': 't' };
const STRUCTURED = { 'content-type': 'application/cloudevents+json' };
const BATCH = { 'content-type': 'application/cloudevents-batch+json' };

type Headers = Record<string, string | string[] | undefined>;

function outcome(headers: Headers, body: Buffer | string): { status: number; error?: FlowbridgeError } {
  try {
    parseCloudEventsRequest({ headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') });
    return { status: 202 };
  } catch (err) {
    if (err instanceof FlowbridgeError) return { status: err.status, error: err };
    throw err;
  }
}

function rejection(headers: Headers, body: Buffer | string): FlowbridgeError {
  const { error } = outcome(headers, body);
  if (!error) throw new Error('expected the request to be rejected');
  return error;
}

const nestedArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const nestedObjects = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

afterEach(() => {
  // A polluted prototype would show up on every object.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

describe('deep nesting', () => {
  it('rejects a structured body of 100,000 nested arrays with a clean 400', () => {
    const err = rejection(STRUCTURED, nestedArrays(100_000));
    expect([err.status, err.code]).toEqual([400, 'ERR_INGEST_INVALID_EVENT']);
  });

  it('rejects data nested 40,000 objects deep (as deep as fits the event limit) in structured mode', () => {
    const err = rejection(STRUCTURED, `{"specversion":"1.0","id":"a","source":"/s","type":"t","data":${nestedObjects(40_000)}}`);
    expect(err.message).toMatch(/nests 40001 levels deep; the limit is 64/);
  });

  it('rejects a batch member nested 100,000 levels deep and names its index', () => {
    const err = rejection(BATCH, `[${JSON.stringify(BASE)},{"specversion":"1.0","id":"a","source":"/s","type":"t","data":${nestedArrays(100_000)}}]`);
    expect((err.details[0] as EventProblem).index).toBe(1);
  });

  it('rejects a binary-mode JSON body nested 100,000 levels deep', () => {
    const err = rejection({ ...CE, 'content-type': 'application/json' }, nestedArrays(100_000));
    expect([err.status, (err.details[0] as EventProblem).path]).toEqual([400, 'data']);
  });

  it('accepts exactly the depth limit and rejects one level more', () => {
    const event = (dataLevels: number): string => `{"specversion":"1.0","id":"a","source":"/s","type":"t","data":${nestedArrays(dataLevels)}}`;
    expect(outcome(STRUCTURED, event(63)).status).toBe(202);
    expect(outcome(STRUCTURED, event(64)).status).toBe(400);
    expect(outcome({ ...CE, 'content-type': 'application/json' }, nestedArrays(63)).status).toBe(202);
    expect(outcome({ ...CE, 'content-type': 'application/json' }, nestedArrays(64)).status).toBe(400);
  });

  it('lets nesting inside JSON strings count for nothing', () => {
    const body = JSON.stringify({ ...BASE, data: '['.repeat(10_000) });
    expect(outcome(STRUCTURED, body).status).toBe(202);
  });
});

describe('prototype keys', () => {
  it('rejects __proto__ as an attribute name without polluting any prototype', () => {
    const err = rejection(STRUCTURED, '{"__proto__":{"polluted":true},"specversion":"1.0","id":"a","source":"/s","type":"t"}');
    expect((err.details[0] as EventProblem).path).toBe('__proto__');
  });

  it('keeps __proto__ inside data as an ordinary own property', () => {
    const result = parseCloudEventsRequest({
      headers: STRUCTURED,
      body: Buffer.from('{"specversion":"1.0","id":"a","source":"/s","type":"t","data":{"__proto__":{"polluted":true},"x":1}}'),
    });
    const data = result.events[0]?.data as Record<string, unknown>;
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.stringify(data)).toBe('{"__proto__":{"polluted":true},"x":1}');
  });

  it('keeps __proto__ inside binary-mode JSON data as an own property', () => {
    const result = parseCloudEventsRequest({ headers: { ...CE, 'content-type': 'application/json' }, body: Buffer.from('{"__proto__":{"polluted":true}}') });
    expect(Object.hasOwn(result.events[0]?.data as object, '__proto__')).toBe(true);
  });

  it('rejects a ce-__proto__ header as an invalid attribute name', () => {
    const err = rejection({ ...CE, 'ce-__proto__': 'x' }, '');
    expect((err.details[0] as EventProblem).path).toBe('__proto__');
  });

  it('treats constructor and prototype as ordinary extension names', () => {
    const result = parseCloudEventsRequest({ headers: { ...CE, 'ce-constructor': 'c', 'ce-prototype': 'p' }, body: Buffer.alloc(0) });
    expect(result.events[0]).toMatchObject({ constructor: 'c', prototype: 'p' });
  });

  it('rejects __proto__ in a batch member without polluting', () => {
    const err = rejection(BATCH, '[{"specversion":"1.0","id":"a","source":"/s","type":"t","__proto__":{"polluted":1}}]');
    expect((err.details[0] as EventProblem).index).toBe(0);
  });
});

describe('huge and numerous inputs', () => {
  it('answers 413 for a single header value far beyond the event limit', () => {
    const err = rejection({ ...CE, 'ce-big': 'x'.repeat(1_000_000) }, '');
    expect([err.status, err.code]).toEqual([413, 'ERR_INGEST_EVENT_TOO_LARGE']);
  });

  it('handles ten thousand ce- headers', () => {
    const headers: Headers = { ...CE };
    for (let i = 0; i < 10_000; i++) headers[`ce-ext${i}`] = String(i);
    const result = parseCloudEventsRequest({ headers, body: Buffer.alloc(0) });
    expect(Object.keys(result.events[0] ?? {})).toHaveLength(10_004);
  });

  it('keeps error messages short when the offending value is huge', () => {
    const err = rejection(STRUCTURED, JSON.stringify({ ...BASE, time: 'x'.repeat(200_000) }));
    expect(err.message.length).toBeLessThan(500);
  });

  it('reports at most 100 problems for a batch of a hundred thousand bad members', () => {
    const err = rejection(BATCH, `[${Array.from({ length: 100_000 }, () => '{}').join(',')}]`);
    expect(err.details.length).toBe(100);
    expect(err.status).toBe(400);
  });

  it('rejects a body over the request limit before reading it', () => {
    const err = rejection(STRUCTURED, Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect([err.status, err.code]).toEqual([413, 'ERR_BODY_TOO_LARGE']);
  });
});

// A small deterministic PRNG so that a failing case can be replayed from its seed.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  JSON.stringify({ ...BASE, time: '2018-04-05T17:31:00Z', ext: 5, data: { a: [1, 'b', null], c: { d: true } } }),
  JSON.stringify([{ ...BASE, data_base64: 'AAEC' }, { ...BASE, subject: 'x', data: 'y' }]),
];
const CONTENT_TYPES = ['application/cloudevents+json', 'application/cloudevents-batch+json', 'application/json', 'text/plain', 'application/octet-stream', undefined];
const TOKENS = ['{', '}', '[', ']', '"', ',', ':', '\\', '\\u', '__proto__', 'null', '1e999', '-', '\u0000', '\uD800', 'data', 'data_base64', '%'];

describe('fuzzing', () => {
  it('answers every mutated request with events or a clean 400/413/415', () => {
    const random = mulberry32(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    for (let round = 0; round < 3000; round++) {
      let text = pick(SEEDS);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1));
        const kind = random();
        if (kind < 0.4) text = text.slice(0, at) + pick(TOKENS) + text.slice(at);
        else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
        else text = text.slice(0, at);
      }
      const body = random() < 0.2 ? Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))) : Buffer.from(text);
      const contentType = pick(CONTENT_TYPES);
      const headers: Headers = contentType === undefined ? { ...CE } : { ...CE, 'content-type': contentType };
      if (random() < 0.3) headers[`ce-${pick(['subject', 'time', 'x', 'id', 'A', ''])}`] = String.fromCharCode(...Array.from({ length: 8 }, () => Math.floor(random() * 256)));
      const { status } = outcome(headers, body);
      expect([202, 400, 413, 415], `round ${round}`).toContain(status);
    }
  });

  it('answers random binary garbage in every mode with a 4xx and never with an exception', () => {
    const random = mulberry32(7);
    for (let round = 0; round < 500; round++) {
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 512) }, () => Math.floor(random() * 256)));
      for (const contentType of CONTENT_TYPES.slice(0, 3)) {
        const { status } = outcome({ 'content-type': contentType }, body);
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
    }
  });
});
