import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, encodeHeaderValue } from './header-value.ts';
import { isJsonMediaType, isTextualMediaType, parseMediaType } from './media-type.ts';

describe('decodeHeaderValue', () => {
  it.each([
    ['plain printable ASCII', 'com.example.someevent', 'com.example.someevent'],
    ['the binding spec example', 'Euro%20%E2%82%AC%20%F0%9F%98%80', 'Euro € 😀'],
    ['lower-case hex digits', '%e2%82%ac', '€'],
    ['unnecessary encoding of safe characters', '%2Fa%2Fb', '/a/b'],
    ['a single round only', '%2541', '%41'],
    ['a quoted string with escapes', '"a\\\\b \\"c\\""', 'a\\b "c"'],
    ['a quoted string that is then percent-decoded', '"%F0%9F%98%80 x"', '😀 x'],
    ['an encoded byte order mark kept as a character', '%EF%BB%BFx', '\ufeffx'],
    ['the empty value', '', ''],
  ])('decodes %s', (_name, raw, value) => {
    expect(decodeHeaderValue(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['an overlong encoding', '%C0%A0', /UTF-8/],
    ['a code point beyond U+10FFFF', '%F4%90%80%80', /UTF-8/],
    ['a stray continuation byte', '%80', /UTF-8/],
    ['a truncated escape at the end', '%4', /percent-encoding/],
    ['a non-hex escape', '%zz', /percent-encoding/],
    ['a raw control character', 'a\u0001b', /percent-encode/],
    ['a raw Latin-1 byte', '\u00ff', /percent-encode/],
    ['text after the closing quote', '"a"b', /quoted/],
    ['a dangling backslash in a quote', '"a\\', /quoted/],
  ])('rejects %s', (_name, raw, reason) => {
    const result = decodeHeaderValue(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('encodeHeaderValue', () => {
  it('leaves printable ASCII other than space, double quote and percent alone', () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    const expected = [...printable].map((ch) => (ch === '"' ? '%22' : ch === '%' ? '%25' : ch)).join('');
    expect(encodeHeaderValue(printable)).toBe(expected);
  });

  it('encodes a surrogate pair as the UTF-8 of its one code point', () => {
    expect(encodeHeaderValue('😀')).toBe('%F0%9F%98%80');
  });

  it('encodes control characters even though attributes exclude them', () => {
    expect(encodeHeaderValue('a\u0000\u007f')).toBe('a%00%7F');
  });

  it.each(['Euro € 😀', ' leading and trailing ', '100% "quoted"', 'тест', ''])('round-trips %j through decodeHeaderValue', (value) => {
    expect(decodeHeaderValue(encodeHeaderValue(value))).toEqual({ ok: true, value });
  });
});

describe('parseMediaType', () => {
  it('lower-cases type and subtype and parameter names, and keeps parameter values', () => {
    const media = parseMediaType('Text/HTML; Charset="UTF-8" ;q=0.5');
    expect(media?.essence).toBe('text/html');
    expect(Object.fromEntries(media?.params ?? [])).toEqual({ charset: 'UTF-8', q: '0.5' });
  });

  it.each(['application/json', 'text/plain;', 'application/vnd.a+json; profile="x; y"', 'multipart/form-data; boundary=----abc'])('accepts %s', (value) => {
    expect(parseMediaType(value)).toBeDefined();
  });

  it.each(['', 'json', '/json', 'application/', 'a b/c', 'text/plain; charset', 'text/plain; =x', 'text/plain; a="unterminated', 'text/plain; a=b c'])('rejects %j', (value) => {
    expect(parseMediaType(value)).toBeUndefined();
  });

  it.each([
    ['application/json', true, false],
    ['application/cloudevents+json', true, false],
    ['text/json', true, true],
    ['text/plain', false, true],
    ['application/atom+xml', false, true],
    ['application/x-www-form-urlencoded', false, true],
    ['application/octet-stream', false, false],
    ['image/png', false, false],
  ] as const)('classifies %s (JSON: %s, text: %s)', (value, json, text) => {
    const media = parseMediaType(value);
    if (!media) throw new Error(`expected ${value} to parse`);
    expect([isJsonMediaType(media), isTextualMediaType(media)]).toEqual([json, text]);
  });
});
