// jsonDepth, parseJsonBody, mediaType and isJsonMediaType: the JSON door of ingest.

import { describe, expect, it } from 'vitest';
import { isJsonMediaType, jsonDepth, MAX_JSON_DEPTH, mediaType, parseJsonBody } from './json-body.ts';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('jsonDepth', () => {
  const rows: [text: string, depth: number][] = [
    ['', 0],
    ['42', 0],
    ['"plain"', 0],
    ['{}', 1],
    ['[]', 1],
    ['[][]{}', 1],
    ['[[]]', 2],
    ['{"a":{"b":[1,{"c":null}]}}', 4],
    ['[{"a":1},{"b":[2]}]', 3],
    // Brackets inside strings do not count.
    ['"[[[[{{{{"', 0],
    ['{"a":"[[[[[["}', 1],
    // An escaped quote does not end the string…
    ['{"a":"\\"[[[["}', 1],
    // …but an escaped backslash before a quote does.
    ['["\\\\",[1]]', 2],
    ['["\\\\\\"[[",[]]', 2],
    // Other escapes are skipped one character at a time.
    ['["\\u005b\\n[", {"x": []}]', 3],
  ];
  it.each(rows)('measures %j as depth %i', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('stops as soon as the depth passes stopAt', () => {
    const text = nested(100_000);
    expect(jsonDepth(text, 10)).toBe(11);
    expect(jsonDepth(text)).toBe(100_000);
  });

  it('lets closing brackets in excess lower the count of later nesting (harmless: such text is not JSON)', () => {
    expect(jsonDepth(']]]][[')).toBe(0);
    expect(jsonDepth(']]]][[[[[[')).toBe(2);
  });
});

describe('parseJsonBody', () => {
  it('parses any JSON value', () => {
    expect(parseJsonBody(Buffer.from('{"a":[1,"x",null,true]}'))).toEqual({ a: [1, 'x', null, true] });
    expect(parseJsonBody(Buffer.from(' "s" '))).toBe('s');
    expect(parseJsonBody(Buffer.from('null'))).toBeNull();
  });

  it('reads the body as UTF-8', () => {
    expect(parseJsonBody(Buffer.from('{"name":"Zoë 李"}', 'utf8'))).toEqual({ name: 'Zoë 李' });
  });

  it('accepts nesting exactly at the limit and refuses one level more', () => {
    expect(MAX_JSON_DEPTH).toBe(128);
    expect(() => parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH)))).not.toThrow();
    expect(() => parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH + 1)))).toThrow(
      expect.objectContaining({ code: 'ERR_BODY_INVALID_JSON', status: 400, message: 'The JSON body is nested deeper than 128 levels', details: [{ maxDepth: 128 }] }),
    );
  });

  it('honours a smaller limit given by the caller', () => {
    expect(() => parseJsonBody(Buffer.from('[[[1]]]'), 3)).not.toThrow();
    expect(() => parseJsonBody(Buffer.from('[[[[1]]]]'), 3)).toThrow(/deeper than 3 levels/);
  });

  it('does not count brackets inside strings towards the limit', () => {
    const text = JSON.stringify({ note: '['.repeat(10_000) });
    expect(parseJsonBody(Buffer.from(text))).toEqual({ note: '['.repeat(10_000) });
  });

  it('refuses deep nesting hidden behind excess closing brackets, as invalid JSON', () => {
    const sneaky = `${']'.repeat(1000)}${nested(1100)}`;
    expect(jsonDepth(sneaky)).toBe(100);
    expect(() => parseJsonBody(Buffer.from(sneaky))).toThrow(expect.objectContaining({ code: 'ERR_BODY_INVALID_JSON' }));
  });

  it('refuses the deep document before parsing it, even when it is also malformed', () => {
    expect(() => parseJsonBody(Buffer.from('['.repeat(500)))).toThrow(/nested deeper than 128 levels/);
  });

  it.each(['', '{', '{"a":1,}', "{'a':1}", 'undefined', '{"a":1}x', 'NaN'])('refuses %j with ERR_BODY_INVALID_JSON and the parser\'s reason', (text) => {
    expect(() => parseJsonBody(Buffer.from(text))).toThrow(
      expect.objectContaining({ name: 'FlowbridgeError', code: 'ERR_BODY_INVALID_JSON', status: 400, message: expect.stringMatching(/^The request body is not valid JSON: .+/) }),
    );
  });

  it('keeps a "__proto__" key as an own property without changing any prototype', () => {
    const value = parseJsonBody(Buffer.from('{"__proto__":{"polluted":true},"a":1}')) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('mediaType', () => {
  const rows: [header: string | undefined, type: string][] = [
    [undefined, ''],
    ['', ''],
    ['application/json', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    ['  text/plain ; format=flowed', 'text/plain'],
    ['application/cloudevents+json;charset=utf-8', 'application/cloudevents+json'],
    [';charset=utf-8', ''],
  ];
  it.each(rows)('reads %j as %j', (header, type) => {
    expect(mediaType(header)).toBe(type);
  });
});

describe('isJsonMediaType', () => {
  const rows: [type: string, json: boolean][] = [
    ['application/json', true],
    ['text/json', true],
    ['application/cloudevents+json', true],
    ['application/vnd.api+json', true],
    ['application/problem+json', true],
    ['application/cloudevents-batch+json', true],
    ['application/jsonx', false],
    ['application/json-seq', false],
    ['application/x-ndjson', false],
    ['text/plain', false],
    ['application/xml', false],
    ['', false],
  ];
  it.each(rows)('says %j is JSON: %s', (type, json) => {
    expect(isJsonMediaType(type)).toBe(json);
  });
});
