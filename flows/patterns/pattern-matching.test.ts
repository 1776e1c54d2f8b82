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

const suffixes: Row[] = [
  ['a suffix matches a string that ends with it', { key: [{ suffix: '.png' }] }, { key: 'img/cat.png' }, true],
  ['a suffix does not match a string that ends otherwise', { key: [{ suffix: '.png' }] }, { key: 'img/cat.jpg' }, false],
  ['a suffix matches the whole string', { key: [{ suffix: 'ec2' }] }, { key: 'ec2' }, true],
  ['a suffix is case sensitive', { key: [{ suffix: '.PNG' }] }, { key: 'cat.png' }, false],
  ['a suffix does not match numbers', { n: [{ suffix: '23' }] }, { n: 123 }, false],
  ['a suffix longer than the value does not match', { key: [{ suffix: 'xabc' }] }, { key: 'abc' }, false],
  ['an empty suffix matches any string', { key: [{ suffix: '' }] }, { key: 'abc' }, true],
  ['prefix and suffix in one list act as or', { k: [{ prefix: 'a' }, { suffix: 'z' }] }, { k: 'xyz' }, true],
];

const ignoreCase: Row[] = [
  ['equals-ignore-case matches other casings', { source: [{ 'equals-ignore-case': 'EC2' }] }, { source: 'ec2' }, true],
  ['equals-ignore-case matches mixed casing', { source: [{ 'equals-ignore-case': 'EC2' }] }, { source: 'Ec2' }, true],
  ['equals-ignore-case needs the same letters', { source: [{ 'equals-ignore-case': 'EC2' }] }, { source: 'ec3' }, false],
  ['equals-ignore-case needs the whole value', { source: [{ 'equals-ignore-case': 'EC2' }] }, { source: 'ec2x' }, false],
  ['equals-ignore-case does not match numbers', { n: [{ 'equals-ignore-case': '12' }] }, { n: 12 }, false],
  ['equals-ignore-case folds non-ASCII letters', { city: [{ 'equals-ignore-case': 'zürich' }] }, { city: 'ZÜRICH' }, true],
  ['equals-ignore-case matches the upper-case form of ß', { s: [{ 'equals-ignore-case': 'straße' }] }, { s: 'STRASSE' }, true],
  ['equals-ignore-case keeps ß distinct from ss (no full folding)', { s: [{ 'equals-ignore-case': 'straße' }] }, { s: 'strasse' }, false],
  ['equals-ignore-case of a title-case letter matches neither itself nor a fold', { s: [{ 'equals-ignore-case': 'ǅ' }] }, { s: 'ǅ' }, false],
  ['equals-ignore-case of a title-case letter matches its lower-case form', { s: [{ 'equals-ignore-case': 'ǅ' }] }, { s: 'ǆ' }, true],
  ['an ASCII k does not match the Kelvin sign', { s: [{ 'equals-ignore-case': 'k' }] }, { s: '\u212a' }, false],
  ['the Kelvin sign matches its lower-case form k', { s: [{ 'equals-ignore-case': '\u212a' }] }, { s: 'k' }, true],
  ['the Kelvin sign does not match an upper-case K', { s: [{ 'equals-ignore-case': '\u212a' }] }, { s: 'K' }, false],
  ['prefix equals-ignore-case matches a differently cased start', { s: [{ prefix: { 'equals-ignore-case': 'EvEnT' } }] }, { s: 'eventbridge' }, true],
  ['prefix equals-ignore-case fails on another start', { s: [{ prefix: { 'equals-ignore-case': 'EvEnT' } }] }, { s: 'bridge' }, false],
  ['prefix equals-ignore-case folds non-ASCII letters', { s: [{ prefix: { 'equals-ignore-case': 'ÄR' } }] }, { s: 'ärger' }, true],
  ['suffix equals-ignore-case matches a differently cased end', { s: [{ suffix: { 'equals-ignore-case': 'TBRIDGE' } }] }, { s: 'EventBridge' }, true],
  ['suffix equals-ignore-case fails on another end', { s: [{ suffix: { 'equals-ignore-case': 'TBRIDGE' } }] }, { s: 'EventBus' }, false],
  ['suffix equals-ignore-case does not match numbers', { n: [{ suffix: { 'equals-ignore-case': '1' } }] }, { n: 11 }, false],
];

const wildcards: Row[] = [
  ['a wildcard matches any run of characters', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueService' }, true],
  ['a wildcard matches an empty run', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleService' }, true],
  ['a wildcard needs the literal end', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueue' }, false],
  ['a wildcard is case sensitive', { s: [{ wildcard: 'simple*' }] }, { s: 'Simple' }, false],
  ['a lone star matches any string', { s: [{ wildcard: '*' }] }, { s: 'anything' }, true],
  ['a lone star matches the empty string', { s: [{ wildcard: '*' }] }, { s: '' }, true],
  ['a lone star does not match numbers', { s: [{ wildcard: '*' }] }, { s: 42 }, false],
  ['a lone star does not match null', { s: [{ wildcard: '*' }] }, { s: null }, false],
  ['a leading star works like a suffix', { key: [{ wildcard: '*.png' }] }, { key: 'a/b.png' }, true],
  ['a trailing star works like a prefix', { key: [{ wildcard: 'dir/*' }] }, { key: 'dir/a/b' }, true],
  ['stars in the middle match in order', { s: [{ wildcard: 'a*b*c' }] }, { s: 'aXbYc' }, true],
  ['stars in the middle do not match out of order', { s: [{ wildcard: 'a*b*c' }] }, { s: 'acb' }, false],
  ['pieces may not overlap', { s: [{ wildcard: 'ab*ba' }] }, { s: 'aba' }, false],
  ['a contains-style wildcard matches inside', { s: [{ wildcard: '*error*' }] }, { s: 'an error occurred' }, true],
  ['a contains-style wildcard fails without the text', { s: [{ wildcard: '*error*' }] }, { s: 'all good' }, false],
  ['an escaped star matches a star', { s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' }, true],
  ['an escaped star does not match other characters', { s: [{ wildcard: 'a\\*b' }] }, { s: 'axb' }, false],
  ['an escaped backslash matches a backslash', { s: [{ wildcard: 'C:\\\\*' }] }, { s: 'C:\\temp' }, true],
  ['a wildcard without stars is an exact match', { s: [{ wildcard: 'abc' }] }, { s: 'abc' }, true],
  ['a wildcard without stars does not match longer strings', { s: [{ wildcard: 'abc' }] }, { s: 'abcd' }, false],
  ['a wildcard matches unicode text', { s: [{ wildcard: 'ü*ß' }] }, { s: 'über groß' }, true],
];

const anythingButOperators: Row[] = [
  ['anything-but prefix fails on a value with the prefix', { s: [{ 'anything-but': { prefix: 'init' } }] }, { s: 'initializing' }, false],
  ['anything-but prefix matches a value without it', { s: [{ 'anything-but': { prefix: 'init' } }] }, { s: 'running' }, true],
  ['anything-but prefix matches a number', { s: [{ 'anything-but': { prefix: '1' } }] }, { s: 123 }, true],
  ['anything-but prefix list fails on any listed prefix', { s: [{ 'anything-but': { prefix: ['a', 'b'] } }] }, { s: 'bx' }, false],
  ['anything-but prefix requires the field', { s: [{ 'anything-but': { prefix: 'a' } }] }, {}, false],
  ['anything-but suffix fails on a value with the suffix', { s: [{ 'anything-but': { suffix: '.png' } }] }, { s: 'a.png' }, false],
  ['anything-but suffix matches a value without it', { s: [{ 'anything-but': { suffix: '.png' } }] }, { s: 'a.jpg' }, true],
  ['anything-but suffix list fails on any listed suffix', { s: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] }, { s: 'a.jpg' }, false],
  ['anything-but equals-ignore-case fails on any casing', { s: [{ 'anything-but': { 'equals-ignore-case': 'Stop' } }] }, { s: 'STOP' }, false],
  ['anything-but equals-ignore-case matches another word', { s: [{ 'anything-but': { 'equals-ignore-case': 'Stop' } }] }, { s: 'go' }, true],
  ['anything-but equals-ignore-case list fails on a listed word', { s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'B'] } }] }, { s: 'b' }, false],
  ['anything-but equals-ignore-case matches null', { s: [{ 'anything-but': { 'equals-ignore-case': 'a' } }] }, { s: null }, true],
  ['anything-but wildcard fails on a matching value', { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { p: '/usr/lib/x' }, false],
  ['anything-but wildcard matches a value that does not fit', { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { p: '/usr/bin/x' }, true],
  ['anything-but wildcard list fails on any fitting wildcard', { p: [{ 'anything-but': { wildcard: ['*.png', 'tmp/*'] } }] }, { p: 'tmp/a' }, false],
  ['anything-but wildcard of a lone star still matches numbers', { p: [{ 'anything-but': { wildcard: '*' } }] }, { p: 1 }, true],
  ['anything-but wildcard of a lone star fails on every string', { p: [{ 'anything-but': { wildcard: '*' } }] }, { p: '' }, false],
  ['anything-but an empty prefix list matches any value', { p: [{ 'anything-but': { prefix: [] } }] }, { p: 'x' }, true],
  ['anything-but a string does not use IP equivalence', { ip: [{ 'anything-but': '::1' }] }, { ip: '0:0:0:0:0:0:0:1' }, true],
];

const numeric: Row[] = [
  ['a range matches a value inside', { c: [{ numeric: ['>', 0, '<=', 5] }] }, { c: 3 }, true],
  ['a range includes a closed top', { c: [{ numeric: ['>', 0, '<=', 5] }] }, { c: 5 }, true],
  ['a range excludes an open bottom', { c: [{ numeric: ['>', 0, '<=', 5] }] }, { c: 0 }, false],
  ['a range includes a closed bottom', { c: [{ numeric: ['>=', 0, '<', 5] }] }, { c: 0 }, true],
  ['a range excludes an open top', { c: [{ numeric: ['>=', 0, '<', 5] }] }, { c: 5 }, false],
  ['a range resolves six decimals', { c: [{ numeric: ['>', 0, '<=', 5] }] }, { c: 5.000001 }, false],
  ['a range admits the smallest step above its bottom', { c: [{ numeric: ['>', 0] }] }, { c: 0.000001 }, true],
  ['less than matches smaller values', { d: [{ numeric: ['<', 10] }] }, { d: 9.999999 }, true],
  ['less than excludes its bound', { d: [{ numeric: ['<', 10] }] }, { d: 10 }, false],
  ['less or equal includes its bound', { d: [{ numeric: ['<=', 10] }] }, { d: 10 }, true],
  ['greater or equal includes its bound', { d: [{ numeric: ['>=', -3.5] }] }, { d: -3.5 }, true],
  ['equals compares by value', { x: [{ numeric: ['=', 3.018e2] }] }, { x: 301.8 }, true],
  ['equals fails on another value', { x: [{ numeric: ['=', 3.018e2] }] }, { x: 301.9 }, false],
  ['numeric never matches numeric strings', { d: [{ numeric: ['<', 10] }] }, { d: '5' }, false],
  ['numeric never matches booleans or null', { d: [{ numeric: ['<', 10] }] }, { d: null }, false],
  ['numeric matches any element of an event array', { d: [{ numeric: ['<', 10] }] }, { d: [20, 5] }, true],
  ['numeric ignores event numbers beyond 5e11', { d: [{ numeric: ['>', 0] }] }, { d: 6e11 }, false],
  ['numeric admits the limit itself', { d: [{ numeric: ['>', 0] }] }, { d: 5e11 }, true],
  ['numeric ignores event numbers below -5e11', { d: [{ numeric: ['<', 0] }] }, { d: -6e11 }, false],
  ['numeric ignores event numbers with more than six decimals', { d: [{ numeric: ['>', 0] }] }, { d: 0.0000001 }, false],
  ['greater than the limit is valid and matches nothing', { d: [{ numeric: ['>', 5e11] }] }, { d: 5e11 }, false],
  ['two ranges in a list act as or', { d: [{ numeric: ['<', 0] }, { numeric: ['>', 100] }] }, { d: 101 }, true],
  ['a range and an exact value in a list act as or', { d: [{ numeric: ['<', 0] }, 50] }, { d: 50 }, true],
  ['large integers compare exactly inside the limit', { d: [{ numeric: ['>', 499999999999] }] }, { d: 5e11 }, true],
];

const ipAddresses: Row[] = [
  ['cidr matches an address in the block', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.33' }, true],
  ['cidr matches the last address of the block', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }, true],
  ['cidr fails on an address outside the block', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.1' }, false],
  ['cidr /0 matches every IPv4 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' }, true],
  ['cidr /31 matches two addresses', { ip: [{ cidr: '192.168.1.2/31' }] }, { ip: '192.168.1.3' }, true],
  ['cidr starts at the address as written (host bits kept, as event-ruler does)', { ip: [{ cidr: '10.0.0.5/24' }] }, { ip: '10.0.0.4' }, false],
  ['cidr with host bits still reaches the block end', { ip: [{ cidr: '10.0.0.5/24' }] }, { ip: '10.0.0.200' }, true],
  ['cidr fails on a non-address string', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'localhost' }, false],
  ['cidr fails on numbers', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 10 }, false],
  ['cidr fails on an out-of-range address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.0.0.256' }, false],
  ['IPv6 cidr matches an address in the block', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1::1' }, true],
  ['IPv6 cidr matches upper-case hex', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:DB8::ff' }, true],
  ['IPv6 cidr fails outside the block', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
  ['IPv6 cidr matches a fully written address', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }, true],
  ['an IPv4 block does not match an IPv6 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' }, false],
  ['an IPv6 block does not match an IPv4 address', { ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }, false],
  ['an IPv4-mapped IPv6 address counts as IPv4', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '::ffff:a00:1' }, true],
  ['an exact IP value matches the same address', { ip: ['10.0.0.1'] }, { ip: '10.0.0.1' }, true],
  ['an exact IPv6 value matches another spelling', { ip: ['::1'] }, { ip: '0:0:0:0:0:0:0:1' }, true],
  ['an exact IPv6 value ignores hex case', { ip: ['2001:db8::a'] }, { ip: '2001:DB8::A' }, true],
  ['an exact IP value fails on another address', { ip: ['10.0.0.1'] }, { ip: '10.0.0.2' }, false],
  ['"exactly" compares addresses as text', { ip: [{ exactly: '::1' }] }, { ip: '0:0:0:0:0:0:0:1' }, false],
  ['a string that is not a valid address compares as text', { v: ['999.1.1.1'] }, { v: '999.1.1.1' }, true],
];

const orConditions: Row[] = [
  ['$or matches when its first branch holds', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, { source: 'aws.cloudwatch', metricName: 'CPUUtilization' }, true],
  ['$or matches when its second branch holds', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' }, true],
  ['$or fails when no branch holds', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }, false],
  ['$or still needs the fields outside it', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, { source: 'aws.ec2', metricName: 'CPUUtilization' }, false],
  ['a $or branch may hold several fields that all must match', { $or: [{ a: ['1'], b: ['2'] }, { c: ['3'] }] }, { a: '1', b: '9' }, false],
  ['a $or branch with several fields matches when all hold', { $or: [{ a: ['1'], b: ['2'] }, { c: ['3'] }] }, { a: '1', b: '2' }, true],
  ['$or inside a nested object applies to that object', { detail: { $or: [{ source: ['x'] }, { 'detail-type': ['y'] }] } }, { detail: { 'detail-type': 'y' } }, true],
  ['$or inside a nested object does not look at the top level', { detail: { $or: [{ source: ['x'] }, { 'detail-type': ['y'] }] } }, { source: 'x' }, false],
  ['two parallel $or both must hold', { $or: [{ a: ['1'] }, { b: ['1'] }], detail: { $or: [{ c: ['1'] }, { d: ['1'] }] } }, { b: '1', detail: { d: '1' } }, true],
  ['two parallel $or fail when one does not hold', { $or: [{ a: ['1'] }, { b: ['1'] }], detail: { $or: [{ c: ['1'] }, { d: ['1'] }] } }, { b: '1', detail: { e: '1' } }, false],
  ['nested $or inside a $or branch', { $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] }, { b: '2', d: '4' }, true],
  ['nested $or inside a $or branch needs its siblings', { $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] }, { d: '4' }, false],
  ['$or with three branches matches the third', { $or: [{ a: ['1'] }, { b: ['1'] }, { c: ['1'] }] }, { c: '1' }, true],
  ['$or branches may use operators', { $or: [{ n: [{ numeric: ['>', 10] }] }, { s: [{ prefix: 'x' }] }] }, { n: 5, s: 'xy' }, true],
  ['$or with an exists false branch', { $or: [{ a: [{ exists: false }] }, { b: ['1'] }] }, { a: 'present' }, false],
  ['$or with an exists false branch matches when absent', { $or: [{ a: [{ exists: false }] }, { b: ['1'] }] }, { c: 1 }, true],
  ['$or branches may restate an outer field, the later one wins in that branch', { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] }, { a: '2' }, true],
  ['a field after $or applies to every branch', { $or: [{ a: ['1'] }, { b: ['1'] }], c: ['1'] }, { b: '1' }, false],
  ['"$or" with an object is an ordinary field name (legacy patterns)', { $or: { a: ['1'] } }, { $or: { a: '1' } }, true],
  ['"$or" with values is an ordinary field name (legacy patterns)', { $or: ['x'] }, { $or: 'x' }, true],
  ['"$or" with operator objects is an ordinary field name (legacy patterns)', { $or: [{ prefix: 'ab' }, { suffix: 'yz' }] }, { $or: 'abc' }, true],
];

const staff = {
  employees: [
    { firstName: 'John', lastName: 'Doe', tags: ['a'] },
    { firstName: 'Anna', lastName: 'Smith', tags: ['b', 'c'], middleName: 'Maria' },
    { firstName: 'Peter', lastName: 'Jones', tags: ['c'] },
  ],
  dept: 'sales',
};
const nestedStaff = {
  employees: [
    [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones' }],
  ],
};

const arrayConsistency: Row[] = [
  ['one field of an array of objects matches any element', { employees: { firstName: ['Anna'] } }, staff, true],
  ['two fields from the same element match', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, staff, true],
  ['two fields from different elements do not match', { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, staff, false],
  ['value lists still need one element to hold both fields', { employees: { firstName: ['Anna', 'Peter'], lastName: ['Jones'] } }, staff, true],
  ['fields outside the array combine with any element', { employees: { lastName: ['Jones'] }, dept: ['sales'] }, staff, true],
  ['a scalar array inside the same element counts as that element', { employees: { firstName: ['Anna'], tags: ['b'] } }, staff, true],
  ['a scalar array of another element does not count', { employees: { firstName: ['John'], tags: ['b'] } }, staff, false],
  ['operators also keep array consistency', { employees: { firstName: [{ prefix: 'P' }], lastName: [{ suffix: 'th' }] } }, staff, false],
  ['operators match within one element', { employees: { firstName: [{ prefix: 'A' }], lastName: [{ suffix: 'th' }] } }, staff, true],
  ['multi-level arrays keep consistency: same inner element', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, nestedStaff, true],
  ['multi-level arrays keep consistency: different outer elements', { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, nestedStaff, false],
  ['multi-level arrays keep consistency: different inner elements', { employees: { firstName: ['John'], lastName: ['Smith'] } }, nestedStaff, false],
  ['fields of two different arrays combine freely', { a: { x: ['1'] }, b: { y: ['2'] } }, { a: [{ x: '1' }, { x: '0' }], b: [{ y: '0' }, { y: '2' }] }, true],
  ['exists false looks only at the element chosen by earlier fields', { employees: { firstName: ['John'], middleName: [{ exists: false }] } }, staff, true],
  ['exists false fails when the chosen element has the field', { employees: { firstName: ['Anna'], middleName: [{ exists: false }] } }, staff, false],
  ['exists false before any chosen element looks at all elements (event-ruler field order)', { employees: { aMiddle: [{ exists: false }], firstName: ['John'] } }, { employees: [{ firstName: 'John' }, { aMiddle: 'x' }] }, false],
  ['anything-but keeps array consistency', { employees: { firstName: ['Anna'], lastName: [{ 'anything-but': 'Smith' }] } }, staff, false],
  ['anything-but finds a qualifying value in the chosen element', { employees: { firstName: ['Peter'], lastName: [{ 'anything-but': 'Smith' }] } }, staff, true],
  ['numeric keeps array consistency', { items: { sku: ['A'], qty: [{ numeric: ['>', 5] }] } }, { items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 9 }] }, false],
  ['$or branches keep array consistency each', { items: { $or: [{ sku: ['A'], qty: [9] }, { sku: ['B'], qty: [1] }] } }, { items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 9 }] }, false],
];

const tables: Record<string, Row[]> = {
  'exact values': exactValues,
  nesting,
  'event arrays': arrays,
  prefix: prefixes,
  exists,
  'anything-but': anythingBut,
  suffix: suffixes,
  'equals-ignore-case': ignoreCase,
  wildcard: wildcards,
  'anything-but operators': anythingButOperators,
  numeric,
  'IP addresses and cidr': ipAddresses,
  $or: orConditions,
  'array consistency': arrayConsistency,
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
