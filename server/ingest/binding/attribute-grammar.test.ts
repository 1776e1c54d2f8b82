import { describe, expect, it } from 'vitest';
import { findDisallowedCharacter, isAbsoluteUri, isBase64, isRfc3339Timestamp, isUriReference } from './attribute-grammar.ts';

describe('isRfc3339Timestamp', () => {
  it.each([
    '1985-04-12T23:20:50.52Z',
    '1996-12-19T16:39:57-08:00',
    '1990-12-31T23:59:60Z',
    '1990-12-31T15:59:60-08:00',
    '1937-01-01T12:00:27.87+00:20',
    '2024-02-29T00:00:00Z',
    '9999-12-31T23:59:59.999999999+23:59',
  ])('accepts the RFC 3339 date-time %s', (value) => {
    expect(isRfc3339Timestamp(value)).toBe(true);
  });

  it.each([
    ['a leap second that is not 23:59 UTC', '1990-12-31T23:59:60+01:00'],
    ['a missing offset', '1985-04-12T23:20:50'],
    ['an offset without colon', '1985-04-12T23:20:50+0100'],
    ['an offset minute of 60', '1985-04-12T23:20:50+01:60'],
    ['a day 31 in a 30-day month', '2024-06-31T00:00:00Z'],
    ['29 February in a common year', '2023-02-29T00:00:00Z'],
    ['29 February in a century year not divisible by 400', '2100-02-29T00:00:00Z'],
    ['a five-digit year', '10000-01-01T00:00:00Z'],
    ['trailing text', '1985-04-12T23:20:50Z extra'],
    ['a comma before the fraction', '1985-04-12T23:20:50,5Z'],
    ['a value Date.parse accepts', 'April 12, 1985 23:20:50 UTC'],
    ['an ISO 8601 week date', '2024-W01-1T00:00:00Z'],
  ])('rejects %s', (_why, value) => {
    expect(isRfc3339Timestamp(value)).toBe(false);
  });
});

describe('isUriReference', () => {
  it.each([
    'https://github.com/cloudevents',
    'mailto:cncf-wg-serverless@lists.cncf.io',
    'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    '/cloudevents/spec/pull/123',
    '/sensors/tn-1234567/alerts',
    '1-555-123-4567',
    'http://user:pw@host:8080/p/a/t/h?query=1&b=2#frag',
    'http://[::1]/',
    'http://[v1.fe80::a+en1]/',
    'file:///etc/hosts',
    '//example.com/x',
    '?only=query',
    '#only-fragment',
    './relative/../path',
    'a:b:c',
  ])('accepts %s', (value) => {
    expect(isUriReference(value)).toBe(true);
  });

  it.each([
    ['a space', 'a b'],
    ['a raw non-ASCII character', 'https://exämple.com'],
    ['a bad percent escape', '/a%2'],
    ['a colon in the first segment of a relative path', 'a:b'.replace('a', ':a')],
    ['two fragments', '/a#b#c'],
    ['a malformed IPv6 literal', 'http://[1:2:3]/'],
    ['an IPv6 zone identifier', 'http://[fe80::1%25eth0]/'],
    ['an unbalanced bracket', 'http://[::1/'],
    ['a backslash', 'C:\\Windows'.replace('C:', 'x/')],
    ['a non-numeric port', 'http://host:port/'],
  ])('rejects a value with %s', (_why, value) => {
    expect(isUriReference(value)).toBe(false);
  });
});

describe('isAbsoluteUri', () => {
  it.each(['https://example.com/schema.json', 'urn:example:schema', 'http://example.com/s?v=2', 'tag:example.com,2024:schema'])('accepts %s', (value) => {
    expect(isAbsoluteUri(value)).toBe(true);
  });

  it.each([
    ['a relative path', '/schema.json'],
    ['a fragment (not part of absolute-URI)', 'https://example.com/s#x'],
    ['a scheme starting with a digit', '1http://example.com'],
    ['no scheme', 'example.com/schema'],
    ['the empty string', ''],
  ])('rejects %s', (_why, value) => {
    expect(isAbsoluteUri(value)).toBe(false);
  });
});

describe('findDisallowedCharacter', () => {
  it.each([
    ['NUL', '\u0000', 0x0],
    ['a tab', 'a\tb', 0x9],
    ['DEL', 'a\u007f', 0x7f],
    ['a C1 control', '\u009f', 0x9f],
    ['the noncharacter U+FDD0', '\ufdd0', 0xfdd0],
    ['the noncharacter U+FFFF', '\uffff', 0xffff],
    ['the noncharacter U+10FFFF', '\udbff\udfff', 0x10ffff],
    ['a lone high surrogate', 'x\ud800', 0xd800],
    ['a lone low surrogate', '\udc00x', 0xdc00],
  ])('finds %s', (_name, value, codePoint) => {
    expect(findDisallowedCharacter(value)?.codePoint).toBe(codePoint);
  });

  it('allows printable ASCII, U+00A0, BMP text, astral characters and U+FEFF', () => {
    expect(findDisallowedCharacter(' ~\u00a0Grüße東京\ud83d\ude00\ufeff\u{1fffd}')).toBeUndefined();
  });

  it('reports where the character is', () => {
    expect(findDisallowedCharacter('abc\ndef')).toEqual({ index: 3, codePoint: 10 });
  });
});

describe('isBase64', () => {
  it.each(['', 'AA==', 'AAE=', 'AAEC', 'iVBORw0KGgo=', '+/+/'])('accepts %j', (value) => {
    expect(isBase64(value)).toBe(true);
  });

  it.each([['A'], ['AA'], ['AA='], ['A==='], ['AA==AA=='], ['AA AA'], ['-_-_'], ['AAE=\n']])('rejects %j', (value) => {
    expect(isBase64(value)).toBe(false);
  });
});
