// Every reason event-ruler gives for an invalid pattern, with where flowbridge points to.
// Rows: pattern, expected path of the (first) problem, expected message.

import { describe, expect, it } from 'vitest';
import { MAX_OR_COMBINATIONS } from './pattern-compiler.ts';
import { compilePattern, validatePattern } from './pattern.ts';

type Row = readonly [pattern: unknown, path: string, message: string];

const structure: Row[] = [
  [[], '', 'Filter is not an object'],
  ['{"a":["b"]}', '', 'Filter is not an object'],
  [null, '', 'Filter is not an object'],
  [42, '', 'Filter is not an object'],
  [{}, '', 'Empty objects are not allowed'],
  [{ a: {} }, 'a', 'Empty objects are not allowed'],
  [{ a: { b: {} } }, 'a.b', 'Empty objects are not allowed'],
  [{ a: 'x' }, 'a', '"a" must be an object or an array'],
  [{ a: 5 }, 'a', '"a" must be an object or an array'],
  [{ a: null }, 'a', '"a" must be an object or an array'],
  [{ a: true }, 'a', '"a" must be an object or an array'],
  [{ data: { 'source-ip': 'x' } }, 'data.source-ip', '"source-ip" must be an object or an array'],
  [{ 'a.b': 'x' }, '["a.b"]', '"a.b" must be an object or an array'],
  [{ a: [] }, 'a', 'Empty arrays are not allowed'],
  [{ a: [[1]] }, 'a[0]', 'Match value must be String, number, true, false, or null'],
  [{ a: ['x', ['y']] }, 'a[1]', 'Match value must be String, number, true, false, or null'],
  [{ a: [NaN] }, 'a[0]', 'Match value must be String, number, true, false, or null'],
  [{ a: [Infinity] }, 'a[0]', 'Match value must be String, number, true, false, or null'],
  [{ a: [{}] }, 'a[0]', 'Match expression name not found'],
  [{ a: [{ foo: 1 }] }, 'a[0].foo', 'Unrecognized match type foo'],
  [{ a: [{ regex: 'x' }] }, 'a[0].regex', 'Unrecognized match type regex'],
];

const stringOperators: Row[] = [
  [{ a: [{ exactly: 1 }] }, 'a[0].exactly', 'exact match pattern must be a string'],
  [{ a: [{ exactly: 'x', y: 1 }] }, 'a[0].y', 'Only one key allowed in match expression'],
  [{ a: [{ prefix: 5 }] }, 'a[0].prefix', 'prefix match pattern must be a string'],
  [{ a: [{ prefix: null }] }, 'a[0].prefix', 'prefix match pattern must be a string'],
  [{ a: [{ prefix: 'x', suffix: 'y' }] }, 'a[0].suffix', 'Only one key allowed in match expression'],
  [{ a: [{ prefix: 5, suffix: 'y' }] }, 'a[0].prefix', 'prefix match pattern must be a string'],
  [{ a: [{ prefix: {} }] }, 'a[0].prefix', 'Prefix expression name not found'],
  [{ a: [{ prefix: { foo: 'x' } }] }, 'a[0].prefix.foo', 'Unsupported prefix pattern: foo'],
  [{ a: [{ prefix: { 'equals-ignore-case': 1 } }] }, 'a[0].prefix.equals-ignore-case', 'equals-ignore-case match pattern must be a string'],
  [{ a: [{ prefix: { 'equals-ignore-case': 'x', y: 1 } }] }, 'a[0].prefix.y', 'Only one key allowed in match expression'],
  [{ a: [{ prefix: { 'equals-ignore-case': 'x' }, y: 1 }] }, 'a[0].y', 'Only one key allowed in match expression'],
  [{ a: [{ suffix: [] }] }, 'a[0].suffix', 'suffix match pattern must be a string'],
  [{ a: [{ suffix: {} }] }, 'a[0].suffix', 'Suffix expression name not found'],
  [{ a: [{ suffix: { wildcard: 'x' } }] }, 'a[0].suffix.wildcard', 'Unsupported suffix pattern: wildcard'],
  [{ a: [{ suffix: { 'equals-ignore-case': false } }] }, 'a[0].suffix.equals-ignore-case', 'equals-ignore-case match pattern must be a string'],
  [{ a: [{ suffix: 'x', z: 1 }] }, 'a[0].z', 'Only one key allowed in match expression'],
  [{ a: [{ 'equals-ignore-case': 5 }] }, 'a[0].equals-ignore-case', 'equals-ignore-case match pattern must be a string'],
  [{ a: [{ 'equals-ignore-case': 'x', y: 1 }] }, 'a[0].y', 'Only one key allowed in match expression'],
  [{ a: [{ exists: 'true' }] }, 'a[0].exists', 'exists match pattern must be either true or false.'],
  [{ a: [{ exists: 1 }] }, 'a[0].exists', 'exists match pattern must be either true or false.'],
  [{ a: [{ exists: true, y: 1 }] }, 'a[0].y', 'Only one key allowed in match expression'],
];

const wildcard: Row[] = [
  [{ a: [{ wildcard: 5 }] }, 'a[0].wildcard', 'wildcard match pattern must be a string'],
  [{ a: [{ wildcard: 'ab**' }] }, 'a[0].wildcard', 'Consecutive wildcard characters at pos 3'],
  [{ a: [{ wildcard: 'abc**def' }] }, 'a[0].wildcard', 'Consecutive wildcard characters at pos 4'],
  [{ a: [{ wildcard: '**' }] }, 'a[0].wildcard', 'Consecutive wildcard characters at pos 1'],
  [{ a: [{ wildcard: 'é**' }] }, 'a[0].wildcard', 'Consecutive wildcard characters at pos 3'],
  [{ a: [{ wildcard: '€*x**' }] }, 'a[0].wildcard', 'Consecutive wildcard characters at pos 6'],
  [{ a: [{ wildcard: 'a\\b' }] }, 'a[0].wildcard', 'Invalid escape character at pos 2'],
  [{ a: [{ wildcard: 'ab\\' }] }, 'a[0].wildcard', 'Invalid escape character at pos 3'],
  [{ a: [{ wildcard: '\\\\\\*\\n' }] }, 'a[0].wildcard', 'Invalid escape character at pos 5'],
  [{ a: [{ wildcard: 'x*', y: 1 }] }, 'a[0].y', 'Only one key allowed in match expression'],
];

const numeric: Row[] = [
  [{ a: [{ numeric: 5 }] }, 'a[0].numeric', 'Value of numeric must be an array.'],
  [{ a: [{ numeric: { '>': 5 } }] }, 'a[0].numeric', 'Value of numeric must be an array.'],
  [{ a: [{ numeric: [] }] }, 'a[0].numeric[0]', 'Invalid member in numeric match: ]'],
  [{ a: [{ numeric: [5] }] }, 'a[0].numeric[0]', 'Invalid member in numeric match: 5'],
  [{ a: [{ numeric: [['>'], 5] }] }, 'a[0].numeric[0]', 'Invalid member in numeric match: ['],
  [{ a: [{ numeric: ['!=', 5] }] }, 'a[0].numeric[0]', 'Unrecognized numeric range operator: !='],
  [{ a: [{ numeric: ['=', '5'] }] }, 'a[0].numeric[1]', 'Value of equals must be numeric'],
  [{ a: [{ numeric: ['='] }] }, 'a[0].numeric[1]', 'Value of equals must be numeric'],
  [{ a: [{ numeric: ['=', 5, 6] }] }, 'a[0].numeric[2]', 'Too many elements in numeric expression'],
  [{ a: [{ numeric: ['>', '5'] }] }, 'a[0].numeric[1]', 'Value of > must be numeric'],
  [{ a: [{ numeric: ['>=', null] }] }, 'a[0].numeric[1]', 'Value of >= must be numeric'],
  [{ a: [{ numeric: ['<', true] }] }, 'a[0].numeric[1]', 'Value of < must be numeric'],
  [{ a: [{ numeric: ['<='] }] }, 'a[0].numeric[1]', 'Value of <= must be numeric'],
  [{ a: [{ numeric: ['<', 5, '>', 0] }] }, 'a[0].numeric[2]', 'Too many elements in numeric expression'],
  [{ a: [{ numeric: ['>', 0, 5] }] }, 'a[0].numeric[2]', 'Bad value in numeric range: 5'],
  [{ a: [{ numeric: ['>', 0, '>', 5] }] }, 'a[0].numeric[2]', 'Bad numeric range operator: >'],
  [{ a: [{ numeric: ['>', 0, '=', 5] }] }, 'a[0].numeric[2]', 'Bad numeric range operator: ='],
  [{ a: [{ numeric: ['>', 0, '<', '5'] }] }, 'a[0].numeric[3]', 'Value of < must be numeric'],
  [{ a: [{ numeric: ['>=', 0, '<='] }] }, 'a[0].numeric[3]', 'Value of <= must be numeric'],
  [{ a: [{ numeric: ['>', 0, '<', 5, 6] }] }, 'a[0].numeric[4]', 'Too many terms in numeric range expression'],
  [{ a: [{ numeric: ['>', 5, '<', 5] }] }, 'a[0].numeric', 'Bottom must be less than top'],
  [{ a: [{ numeric: ['>=', 10, '<=', 1] }] }, 'a[0].numeric', 'Bottom must be less than top'],
  [{ a: [{ numeric: ['=', 1.0000001] }] }, 'a[0].numeric[1]', 'Only values upto 6 decimals are supported'],
  [{ a: [{ numeric: ['>', 1e-7] }] }, 'a[0].numeric[1]', 'Only values upto 6 decimals are supported'],
  [{ a: [{ numeric: ['>', 0, '<', 0.12345678] }] }, 'a[0].numeric[3]', 'Only values upto 6 decimals are supported'],
  [{ a: [{ numeric: ['<', 6e11] }] }, 'a[0].numeric[1]', 'Value must be between -5.0E11 and 5.0E11, inclusive'],
  [{ a: [{ numeric: ['=', -1e12] }] }, 'a[0].numeric[1]', 'Value must be between -5.0E11 and 5.0E11, inclusive'],
  [{ a: [{ numeric: ['>=', -6e11, '<', 0] }] }, 'a[0].numeric[1]', 'Value must be between -5.0E11 and 5.0E11, inclusive'],
  [{ a: [{ numeric: ['>', 0], y: 1 }] }, 'a[0].y', 'Too many elements in numeric expression'],
];

const anythingBut: Row[] = [
  [{ a: [{ 'anything-but': true }] }, 'a[0].anything-but', 'Value of anything-but must be an array or single string/number value.'],
  [{ a: [{ 'anything-but': null }] }, 'a[0].anything-but', 'Value of anything-but must be an array or single string/number value.'],
  [{ a: [{ 'anything-but': {} }] }, 'a[0].anything-but', 'Anything-But expression name not found'],
  [{ a: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'a[0].anything-but.numeric', 'Unsupported anything-but pattern: numeric'],
  [{ a: [{ 'anything-but': { exists: true } }] }, 'a[0].anything-but.exists', 'Unsupported anything-but pattern: exists'],
  [{ a: [{ 'anything-but': { prefix: true } }] }, 'a[0].anything-but.prefix', 'Value of anything-but must be an array or single string/number value.'],
  [{ a: [{ 'anything-but': [true] }] }, 'a[0].anything-but[0]', 'Inside anything but list, start|null|boolean is not supported.'],
  [{ a: [{ 'anything-but': ['x', null] }] }, 'a[0].anything-but[1]', 'Inside anything but list, start|null|boolean is not supported.'],
  [{ a: [{ 'anything-but': [['x']] }] }, 'a[0].anything-but[0]', 'Inside anything but list, start|null|boolean is not supported.'],
  [{ a: [{ 'anything-but': ['x', 1] }] }, 'a[0].anything-but', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
  [{ a: [{ 'anything-but': [] }] }, 'a[0].anything-but', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
  [{ a: [{ 'anything-but': 1.0000001 }] }, 'a[0].anything-but', 'Only values upto 6 decimals are supported'],
  [{ a: [{ 'anything-but': [1, 6e11] }] }, 'a[0].anything-but[1]', 'Value must be between -5.0E11 and 5.0E11, inclusive'],
  [{ a: [{ 'anything-but': { prefix: '' } }] }, 'a[0].anything-but.prefix', 'Null prefix/suffix not allowed'],
  [{ a: [{ 'anything-but': { suffix: ['x', ''] } }] }, 'a[0].anything-but.suffix[1]', 'Null prefix/suffix not allowed'],
  [{ a: [{ 'anything-but': { prefix: 5 } }] }, 'a[0].anything-but.prefix', 'prefix/suffix match pattern must be a string'],
  [{ a: [{ 'anything-but': { suffix: [1] } }] }, 'a[0].anything-but.suffix[0]', 'prefix/suffix match pattern must be a string'],
  [{ a: [{ 'anything-but': { 'equals-ignore-case': 5 } }] }, 'a[0].anything-but.equals-ignore-case', 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
  [{ a: [{ 'anything-but': { 'equals-ignore-case': ['x', 2] } }] }, 'a[0].anything-but.equals-ignore-case[1]', 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
  [{ a: [{ 'anything-but': { wildcard: 5 } }] }, 'a[0].anything-but.wildcard', 'wildcard match pattern must be a string'],
  [{ a: [{ 'anything-but': { wildcard: ['*', [1]] } }] }, 'a[0].anything-but.wildcard[1]', 'wildcard match pattern must be a string'],
  [{ a: [{ 'anything-but': { wildcard: 'a**' } }] }, 'a[0].anything-but.wildcard', 'Consecutive wildcard characters at pos 2'],
  [{ a: [{ 'anything-but': { wildcard: ['ok', 'x\\y'] } }] }, 'a[0].anything-but.wildcard[1]', 'Invalid escape character at pos 2'],
  [{ a: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }, 'a[0].anything-but.suffix', 'Too many elements in numeric expression'],
  [{ a: [{ 'anything-but': 'x', y: 1 }] }, 'a[0].y', 'Too many elements in numeric expression'],
  [{ a: [{ 'anything-but': { prefix: 'x' }, y: 1 }] }, 'a[0].y', 'Too many elements in numeric expression'],
];

const cidr: Row[] = [
  [{ ip: [{ cidr: 5 }] }, 'ip[0].cidr', 'prefix match pattern must be a string'],
  [{ ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr', "Malformed CIDR, one '/' required"],
  [{ ip: [{ cidr: '10.0.0.0/8/8' }] }, 'ip[0].cidr', "Malformed CIDR, one '/' required"],
  [{ ip: [{ cidr: '10.0.0.0/' }] }, 'ip[0].cidr', "Malformed CIDR, one '/' required"],
  [{ ip: [{ cidr: '10.0.0.0/x' }] }, 'ip[0].cidr', 'Malformed CIDR, mask bits must be an integer'],
  [{ ip: [{ cidr: '10.0.0.0/ 8' }] }, 'ip[0].cidr', 'Malformed CIDR, mask bits must be an integer'],
  [{ ip: [{ cidr: '10.0.0.0/-1' }] }, 'ip[0].cidr', 'Malformed CIDR, mask bits must not be negative'],
  [{ ip: [{ cidr: '10.0.0/8' }] }, 'ip[0].cidr', 'Nonstandard IP address: 10.0.0'],
  [{ ip: [{ cidr: 'example.com/8' }] }, 'ip[0].cidr', 'Nonstandard IP address: example.com'],
  [{ ip: [{ cidr: '999.0.0.1/8' }] }, 'ip[0].cidr', 'Invalid IP address: 999.0.0.1'],
  [{ ip: [{ cidr: '1:2:3/64' }] }, 'ip[0].cidr', 'Invalid IP address: 1:2:3'],
  [{ ip: [{ cidr: '10.0.0.1/32' }] }, 'ip[0].cidr', 'IPv4 mask bits must be < 32'],
  [{ ip: [{ cidr: '::1/128' }] }, 'ip[0].cidr', 'IPv6 mask bits must be < 128'],
  [{ ip: [{ cidr: '10.0.0.0/8', y: 1 }] }, 'ip[0].y', 'Only one key allowed in match expression'],
];

const or: Row[] = [
  [{ $or: 'x' }, '$or', 'It must be an Array followed with $or.'],
  [{ $or: [{ a: ['1'] }] }, '$or', 'There must have at least 2 Objects in $or relationship.'],
  [{ $or: [] }, '$or', 'There must have at least 2 Objects in $or relationship.'],
  [{ $or: [{ a: ['1'] }, 'x'] }, '$or[1]', 'Only JSON object is allowed in array of $or relationship.'],
  [{ $or: [{ numeric: 123 }, { prefix: 'abc' }] }, '$or[0].numeric', 'numeric is Ruler reserved fieldName which cannot be used inside $or.'],
  [{ $or: [{ a: ['1'] }, { b: { regex: ['x'] } }] }, '$or[1].b.regex', 'regex is Ruler reserved fieldName which cannot be used inside $or.'],
  [{ $or: [{ a: ['1'] }, { b: {} }] }, '$or[1].b', 'Empty objects are not allowed'],
  [{ $or: [{ a: ['1'] }, { b: [{ prefix: 1 }] }] }, '$or[1].b[0].prefix', 'prefix match pattern must be a string'],
];

const tables: Record<string, Row[]> = {
  'pattern structure': structure,
  'string operators': stringOperators,
  wildcard,
  numeric,
  'anything-but': anythingBut,
  cidr,
  $or: or,
};

for (const [section, rows] of Object.entries(tables)) {
  describe(`invalid patterns: ${section}`, () => {
    it.each(rows)('rejects %j', (pattern, path, message) => {
      const problems = validatePattern(pattern);
      expect(problems[0]).toEqual({ code: 'ERR_PATTERN_INVALID', path, message });
      expect(() => compilePattern(pattern)).toThrow(expect.objectContaining({ code: 'ERR_PATTERN_INVALID', message }));
    });
  });
}

describe('validatePattern', () => {
  it('accepts every operator in one pattern', () => {
    const pattern = {
      source: ['erp', { prefix: 'crm/' }, { suffix: '/hr' }, { 'equals-ignore-case': 'ERP' }, { wildcard: 'a*b' }],
      data: {
        n: [1, { numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 7] }],
        s: [{ 'anything-but': ['a', 'b'] }, { 'anything-but': { prefix: 'x' } }, { 'anything-but': { suffix: 'y' } }],
        t: [{ 'anything-but': { 'equals-ignore-case': ['Q'] } }, { 'anything-but': { wildcard: '*.tmp' } }, { exactly: 'z' }],
        ip: [{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }, '192.168.0.1'],
        e: [{ exists: true }],
        f: [{ exists: false }],
        g: [{ prefix: { 'equals-ignore-case': 'A' } }, { suffix: { 'equals-ignore-case': 'B' } }, null, true],
      },
      $or: [{ a: ['1'] }, { b: ['2'] }],
    };
    expect(validatePattern(pattern)).toEqual([]);
  });

  it('reports the first problem of each field and checks the operand type before extra keys', () => {
    const problems = validatePattern({ a: [{ prefix: 5, suffix: 'y' }], b: { c: [{ numeric: ['>', 9, '<', 1] }] } });
    expect(problems.map((p) => p.message)).toEqual(['prefix match pattern must be a string', 'Bottom must be less than top']);
  });

  it('lets a later occurrence of the same path replace the earlier one', () => {
    const compiled = compilePattern({ 'a.b': ['1'], a: { b: ['2'] } });
    expect(compiled.matches({ a: { b: '2' } })).toBe(true);
    expect(compiled.matches({ a: { b: '1' } })).toBe(false);
  });

  it('rejects a $or expansion beyond the combination limit', () => {
    const pair = (n: number): unknown[] => Array.from({ length: 2 }, (_, i) => ({ [`f${n}`]: [i] }));
    const fields: Record<string, unknown> = {};
    for (let n = 0; n < 10; n++) fields[`g${n}`] = { $or: pair(n) };
    const problems = validatePattern(fields);
    expect(2 ** 10).toBeGreaterThan(MAX_OR_COMBINATIONS);
    expect(problems[0]?.message).toBe(`The pattern expands to more than ${MAX_OR_COMBINATIONS} combinations of $or branches`);
  });

  it('accepts a $or expansion at the combination limit', () => {
    const fields: Record<string, unknown> = {};
    for (let n = 0; n < 3; n++) fields[`g${n}`] = { $or: Array.from({ length: 10 }, (_, i) => ({ [`f${n}`]: [i] })) };
    const compiled = compilePattern(fields);
    expect(compiled.matches({ g0: { f0: 9 }, g1: { f1: 0 }, g2: { f2: 5 } })).toBe(true);
    expect(compiled.matches({ g0: { f0: 10 }, g1: { f1: 0 }, g2: { f2: 5 } })).toBe(false);
  });

  it('rejects patterns nested deeper than the limit instead of overflowing the stack', () => {
    let pattern: unknown = { leaf: [1] };
    for (let i = 0; i < 1500; i++) pattern = { n: pattern };
    expect(validatePattern(pattern)[0]?.message).toBe('Pattern nesting is deeper than 1000 levels');
  });
});
