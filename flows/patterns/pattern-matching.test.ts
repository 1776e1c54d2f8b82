// Table-driven matching cases written from the event-ruler / EventBridge specification.
// Each row: what it shows, the pattern, the event, whether it matches. Every row runs
// against a single compiled pattern and against a PatternIndex holding it.

import { describe, expect, it } from 'vitest';
import { compilePattern } from './pattern.ts';
import { PatternIndex } from './pattern-index.ts';

type Row = readonly [name: string, pattern: unknown, event: unknown, matches: boolean];

const exactValues: Row[] = [
  ['a string equals the listed string', { source: ['erp'] }, { source: 'erp' }, true],
  ['a string differing in case does not match', { source: ['erp'] }, { source: 'ERP' }, false],
  ['a listed string does not match a longer string', { source: ['erp'] }, { source: 'erp2' }, false],
  ['a value list matches any of its values', { type: ['a', 'b', 'c'] }, { type: 'b' }, true],
  ['a value list matches none of other values', { type: ['a', 'b'] }, { type: 'z' }, false],
  ['the empty string matches an empty string value', { subject: [''] }, { subject: '' }, true],
  ['the empty string does not match a missing field', { subject: [''] }, {}, false],
  ['a number matches the same number', { n: [300] }, { n: 300 }, true],
  ['a number matches the same value written otherwise', { n: [300] }, { n: 3e2 }, true],
  ['a number matches a float of the same value', { n: [300] }, { n: 300.0 }, true],
  ['a float matches its value', { n: [1.5] }, { n: 1.5 }, true],
  ['a number does not match a numeric string', { n: [300] }, { n: '300' }, false],
  ['a numeric string does not match a number', { n: ['300'] }, { n: 300 }, false],
  ['negative numbers compare by value', { n: [-7] }, { n: -7.0 }, true],
  ['zero matches negative zero', { n: [0] }, { n: -0 }, true],
  ['a number beyond the numeric limit still matches exactly', { account: [123456789012345] }, { account: 123456789012345 }, true],
  ['a number with many decimals still matches exactly', { n: [1.0000001] }, { n: 1.0000001 }, true],
  ['true matches true', { flag: [true] }, { flag: true }, true],
  ['true does not match the string "true"', { flag: [true] }, { flag: 'true' }, false],
  ['false does not match true', { flag: [false] }, { flag: true }, false],
  ['null matches a null value', { manager: [null] }, { manager: null }, true],
  ['null does not match a missing field', { manager: [null] }, {}, false],
  ['null does not match the string "null"', { manager: [null] }, { manager: 'null' }, false],
  ['a value list may mix types', { v: ['x', 1, true, null] }, { v: null }, true],
  ['all fields of a pattern must match', { a: ['1'], b: ['2'] }, { a: '1', b: '3' }, false],
  ['fields not named in the pattern are ignored', { a: ['1'] }, { a: '1', b: 'anything' }, true],
  ['a missing field fails the match', { a: ['1'], b: ['2'] }, { a: '1' }, false],
  ['an "exactly" operator matches the exact string', { s: [{ exactly: 'x.y' }] }, { s: 'x.y' }, true],
  ['an "exactly" operator does not match another string', { s: [{ exactly: 'x.y' }] }, { s: 'x.z' }, false],
  ['unicode strings compare exactly', { city: ['Zürich'] }, { city: 'Zürich' }, true],
];

const nesting: Row[] = [
  ['a nested pattern matches a nested field', { data: { status: ['active'] } }, { data: { status: 'active' } }, true],
  ['a nested pattern does not match the same field at top level', { data: { status: ['active'] } }, { status: 'active' }, false],
  ['deep nesting matches', { a: { b: { c: { d: [1] } } } }, { a: { b: { c: { d: 1 } } } }, true],
  ['a dotted pattern key equals nesting in the event', { 'data.status': ['active'] }, { data: { status: 'active' } }, true],
  ['a nested pattern equals a dotted key in the event', { data: { status: ['active'] } }, { 'data.status': 'active' }, true],
  ['a dotted pattern key matches a dotted event key', { 'a.b': [1] }, { 'a.b': 1 }, true],
  ['partly dotted keys join the same way', { a: { 'b.c': [1] } }, { 'a.b': { c: 1 } }, true],
  ['an object value is not a leaf value', { data: ['x'] }, { data: { x: 'x' } }, false],
  ['an empty object in the event gives no value', { data: [{ exists: true }] }, { data: {} }, false],
  ['an empty array in the event gives no value', { data: [{ exists: true }] }, { data: [] }, false],
  ['a field inside an object inside an array is found', { items: { sku: ['A1'] } }, { items: [{ sku: 'B2' }, { sku: 'A1' }] }, true],
  ['a field inside nested arrays is found', { items: { sku: ['A1'] } }, { items: [[{ sku: 'B2' }], [[{ sku: 'A1' }]]] }, true],
];

const arrays: Row[] = [
  ['an event array matches when any element matches', { tags: ['berlin'] }, { tags: ['paris', 'berlin'] }, true],
  ['an event array fails when no element matches', { tags: ['rome'] }, { tags: ['paris', 'berlin'] }, false],
  ['pattern and event arrays match when they intersect', { tags: ['rome', 'paris'] }, { tags: ['paris', 'berlin'] }, true],
  ['arrays nested in arrays are flattened', { tags: ['x'] }, { tags: [['a'], ['b', ['x']]] }, true],
  ['numbers inside event arrays compare by value', { ids: [2] }, { ids: [1, 2.0, 3] }, true],
  ['null inside an event array matches null', { ids: [null] }, { ids: [1, null] }, true],
];

const prefixes: Row[] = [
  ['a prefix matches a string that starts with it', { time: [{ prefix: '2024-05' }] }, { time: '2024-05-02T10:00Z' }, true],
  ['a prefix matches the whole string', { time: [{ prefix: 'abc' }] }, { time: 'abc' }, true],
  ['a prefix does not match a string that contains it later', { time: [{ prefix: '05' }] }, { time: '2024-05' }, false],
  ['a prefix is case sensitive', { s: [{ prefix: 'Abc' }] }, { s: 'abcdef' }, false],
  ['a prefix does not match numbers', { n: [{ prefix: '12' }] }, { n: 123 }, false],
  ['an empty prefix matches any string', { s: [{ prefix: '' }] }, { s: 'anything' }, true],
  ['an empty prefix does not match null', { s: [{ prefix: '' }] }, { s: null }, false],
  ['a prefix matches any element of an event array', { s: [{ prefix: 'b' }] }, { s: ['abc', 'bcd'] }, true],
];

const exists: Row[] = [
  ['exists true matches a present field', { c: [{ exists: true }] }, { c: 5 }, true],
  ['exists true matches a null value', { c: [{ exists: true }] }, { c: null }, true],
  ['exists true fails on a missing field', { c: [{ exists: true }] }, { d: 5 }, false],
  ['exists true fails on an object value', { c: [{ exists: true }] }, { c: { d: 1 } }, false],
  ['exists true matches an array with values', { c: [{ exists: true }] }, { c: [1] }, true],
  ['exists false matches a missing field', { c: [{ exists: false }] }, { d: 5 }, true],
  ['exists false fails on a present field', { c: [{ exists: false }] }, { c: 'x' }, false],
  ['exists false fails on a null value', { c: [{ exists: false }] }, { c: null }, false],
  ['exists false matches an object value (not a leaf)', { c: [{ exists: false }] }, { c: { c1: 100 } }, true],
  ['exists false matches an empty array', { c: [{ exists: false }] }, { c: [] }, true],
  ['exists false matches when the parent is missing', { a: { b: [{ exists: false }] } }, { x: 1 }, true],
  ['exists false matches an empty event', { a: [{ exists: false }] }, {}, true],
  ['exists false with other fields requires them', { a: [{ exists: false }], b: ['1'] }, { b: '2' }, false],
  ['exists false or a value matches either', { a: [{ exists: false }, 'x'] }, { a: 'x' }, true],
];

const anythingBut: Row[] = [
  ['anything-but a string matches another string', { state: [{ 'anything-but': 'init' }] }, { state: 'running' }, true],
  ['anything-but a string fails on that string', { state: [{ 'anything-but': 'init' }] }, { state: 'init' }, false],
  ['anything-but requires the field to exist', { state: [{ 'anything-but': 'init' }] }, {}, false],
  ['anything-but a string matches a number', { state: [{ 'anything-but': 'init' }] }, { state: 5 }, true],
  ['anything-but a string matches null', { state: [{ 'anything-but': 'init' }] }, { state: null }, true],
  ['anything-but a list fails on any listed value', { s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'b' }, false],
  ['anything-but a list matches an unlisted value', { s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'c' }, true],
  ['anything-but a number fails on the same value', { n: [{ 'anything-but': 123 }] }, { n: 123.0 }, false],
  ['anything-but a number matches another number', { n: [{ 'anything-but': 123 }] }, { n: 124 }, true],
  ['anything-but a number matches the numeric string', { n: [{ 'anything-but': 123 }] }, { n: '123' }, true],
  ['anything-but numbers fail on a listed number', { n: [{ 'anything-but': [100, 200] }] }, { n: 2e2 }, false],
  ['anything-but with an event array matches when one element qualifies', { s: [{ 'anything-but': 'a' }] }, { s: ['a', 'b'] }, true],
  ['anything-but with an event array fails when no element qualifies', { s: [{ 'anything-but': ['a', 'b'] }] }, { s: ['a', 'b'] }, false],
];

const tables: Record<string, Row[]> = {
  'exact values': exactValues,
  nesting,
  'event arrays': arrays,
  prefix: prefixes,
  exists,
  'anything-but': anythingBut,
};

for (const [section, rows] of Object.entries(tables)) {
  describe(section, () => {
    it.each(rows)('%s', (_name, pattern, event, expected) => {
      expect(compilePattern(pattern).matches(event)).toBe(expected);
      const index = new PatternIndex<string>();
      index.add('rule', pattern);
      expect(index.match(event)).toEqual(expected ? ['rule'] : []);
    });
  });
}
