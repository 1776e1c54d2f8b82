import { describe, expect, it } from 'vitest';
import { flattenEvent, type EventFields } from './event-fields.ts';
import { flattenJson } from './json-event-reader.ts';
import { NumberFilter } from './number-filter.ts';
import { PathTrie, type PathNode } from './path-trie.ts';
import { PatternIndex } from './pattern-index.ts';
import { seededRandom } from './seeded-random.ts';

function trieOf(...paths: string[]): PathTrie {
  const trie = new PathTrie();
  for (const path of paths) trie.add(path);
  return trie;
}

/**
 * Fields in a fixed order, with array membership reduced to element indexes (outer to inner):
 * the two readers visit and number arrays in different orders, but must agree on which
 * elements a value sits in.
 */
function canonical(fields: EventFields): [string, [unknown, number[]][]][] {
  return [...fields]
    .map(([path, list]): [string, [unknown, number[]][]] => [
      path,
      list
        .map((f): [unknown, number[]] => [f.value, f.membership.filter((_, i) => i % 2 === 1)])
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    ])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const INVALID = [
  '{', '{"a":1', '{"a":1,}', '{"a" 1}', '{a:1}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":-}', '{"a":tru}',
  '{"a":"x\\q"}', '{"a":"\\u12G4"}', '{"a":"tab\there"}', '{"a":[1,]}', '{"a":[,1]}', '{"a":1}x', '{"a":1}{}',
  '{"a":1e}', '{"a":+1}', '{"a":NaN}', '{"a":[1 2]}', '{"a":{"b":1,,}}', '{"a":"unterminated}', '{"a":[}', '{"a":1]',
  '{"zzz":[1,{"b":[true,]}]}', '{"zzz":{"q":"\\x"}}', '{"zzz":nulls}',
];
const VALID = [
  '{}', ' { "a" : [ 1 , 2 ] } \n', '{"a":-0}', '{"a":1E2}', '{"a":1e-2}', '{"a":"\\u00e9\\n\\/"}', '{"a":"\\ud83d\\ude00"}',
  '{"a":[[],{}]}', '{"a":true,"b":false,"c":null}', '{"zzz":{"deep":[[[{"x":"y\\"z"}]]]},"a":"ok"}', '{"a":1.5e+3}',
];

describe('flattenJson', () => {
  it.each([...INVALID, ...VALID])('refuses exactly what JSON.parse refuses: %s', (text) => {
    for (const trie of [trieOf('a'), trieOf('a.b', 'zzz.q'), trieOf('elsewhere')]) {
      const result = flattenJson(text, trie);
      expect(result === 'not-an-object', text).toBe(!parses(text));
      if (typeof result !== 'string') expect(canonical(result)).toEqual(canonical(flattenEvent(JSON.parse(text), trie)));
    }
  });

  it('reads the same fields as flattening the parsed event', () => {
    const event = {
      type: 'x',
      'data.id': 7,
      data: { list: [{ a: 1, b: ['p', 'q'] }, { a: [2, { c: 3 }] }], skip: { a: 1 } },
      matrix: [[1, 2], [[3]]],
      text: 'é\n"quoted"',
    };
    const trie = trieOf('type', 'data.id', 'data.list.a', 'data.list.b', 'data.list.a.c', 'matrix', 'text');
    const fields = flattenJson(JSON.stringify(event, null, 2), trie);
    expect(typeof fields).not.toBe('string');
    expect(canonical(fields as EventFields)).toEqual(canonical(flattenEvent(event, trie)));
  });

  it('finds keys written with escapes or dots, and pattern keys JSON must escape', () => {
    const many = Array.from({ length: 12 }, (_, i) => `k${i}`);
    // 'x\\ny' is x, backslash, n, y: the text of the key "x\ny" (x, newline, y) reads the same and must not match it.
    const trie = trieOf('a', 'c.d', 'q"x', 'b\\s', 'tab\t', 'x\\ny', 'm.k11', ...many.map((k) => `m.${k}`));
    const texts = [
      '{"\\u0061":1,"c.d":2,"c":{"\\u0064":3},"q\\"x":4,"b\\\\s":5,"tab\\t":6,"m":{"k\\u00311":7,"k3":8,"k12":9},"m.k1":10}',
      '{"a":1,"ab":2,"":3,"c":{"d":4,"dd":5,"d.e":6},"q\\u0022x":7,"b\\u005cs":8,"x\\ny":9}',
      '{"a":1,"x\\\\ny":2,"c":{"d":3},"q\\"x":4}',
    ];
    for (const text of texts) {
      const fields = flattenJson(text, trie);
      expect(typeof fields, text).not.toBe('string');
      expect(canonical(fields as EventFields), text).toEqual(canonical(flattenEvent(JSON.parse(text), trie)));
      expect((fields as EventFields).size).toBeGreaterThanOrEqual(4);
    }
  });

  it('reads numbers to the same value as JSON.parse', () => {
    const texts = ['0', '-0', '1.5', '37.781234', '-122.456789', '123456789012345', '1234567890123456', '0.1', '0.000001',
      '9007199254740993', '1e5', '1.5E-3', '-0.0', '100.000', '3.14159265358979', '0.30000000000000004', '1e400', '-1e-400'];
    for (let i = 1; i < 2000; i++) texts.push((((i * 7919) % 100003) / 10 ** (i % 9) - 50).toFixed(i % 8));
    const trie = trieOf('n');
    for (const text of texts) {
      const fields = flattenJson(`{"n":${text}}`, trie) as EventFields;
      expect(Object.is(fields.get('n')?.[0]?.value, JSON.parse(text)), text).toBe(true);
    }
  });

  it('asks the caller to parse when a key that matters appears twice in one object', () => {
    expect(flattenJson('{"a":1,"a":2}', trieOf('a'))).toBe('repeated-key');
    expect(flattenJson('{"b":1,"b":2,"a":3}', trieOf('a'))).not.toBe('repeated-key');
  });

  it('reports JSON that is not an object', () => {
    for (const text of ['[1]', '"a"', '42', 'null', '']) expect(flattenJson(text, trieOf('a'))).toBe('not-an-object');
  });

  it('reads deeply nested JSON without overflowing the stack', () => {
    const depth = 50_000;
    const text = `{"a":${'['.repeat(depth)}1${']'.repeat(depth)},"b":2}`;
    const fields = flattenJson(text, trieOf('a', 'b'));
    expect(fields).not.toBe('not-an-object');
    expect(fields instanceof Map && fields.get('b')).toEqual([{ value: 2, membership: [] }]);
    expect(fields instanceof Map && fields.has('a')).toBe(false);
  });
});

describe('flattenJson on skipped containers and numbers-only fields', () => {
  const random = seededRandom(99);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const LEAVES = [1, -0.5, 0, -0, 2.5, 1e21, 0.1234567, 2 ** 53 + 2, 'x', 'a"b', 'tab\t', '\u2028', 'é', '\\', '\ud800', true, false, null];
  const value = (depth: number): unknown => {
    const r = random();
    if (depth > 7 || r < 0.3) return pick(LEAVES);
    if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(random() * 4); i > 0; i--) object[pick(['k', 'a', 'b c', 'é'])] = value(depth + 1);
    return object;
  };
  // Small edits that make most texts invalid in the places the fast paths read.
  const EDITS = ['', ',', ']', '}', '[', '{', '"', ':', ' ', '\n', '0', '-', '.', 'e', '\\', '\u0001', 'tru', '01', '1.', '\\u12', '\\x'];
  const mutate = (text: string): string => {
    for (let m = Math.floor(random() * 3); m > 0; m--) {
      const at = Math.floor(random() * text.length);
      text = text.slice(0, at) + pick(EDITS) + text.slice(at + Math.floor(random() * 2));
    }
    return text;
  };

  it('refuses exactly what JSON.parse refuses, and reads what flattenEvent reads, on random texts', () => {
    let valid = 0;
    for (let i = 0; i < 4000; i++) {
      const trie = trieOf('a', 'b');
      if (random() < 0.5) trie.add('a.k');
      // Half the time, only numbers in [0, 2.5) (or 1e21) are worth reading at `a`.
      if (random() < 0.5) {
        (trie.find('a') as PathNode).numbersOnly = NumberFilter.of([
          { low: 0, lowOpen: false, high: 2.5, highOpen: true },
          { low: 1e21, lowOpen: false, high: 1e21, highOpen: false },
        ]);
      }
      const text = mutate(JSON.stringify({ zzz: value(0), a: value(0), b: value(3) }, null, random() < 0.3 ? 1 : undefined));
      const result = flattenJson(text, trie);
      if (result === 'repeated-key') continue;
      expect(result === 'not-an-object', text).toBe(!parses(text));
      if (typeof result === 'string') continue;
      valid++;
      expect(canonical(result), text).toEqual(canonical(flattenEvent(JSON.parse(text), trie)));
    }
    expect(valid).toBeGreaterThan(1000);
  });

  it('reads deeply nested arrays of a numbers-only field without overflowing the stack', () => {
    const depth = 50_000;
    const trie = trieOf('a', 'b');
    (trie.find('a') as PathNode).numbersOnly = NumberFilter.of([{ low: 1, lowOpen: false, high: 1, highOpen: false }]);
    const fields = flattenJson(`{"a":${'['.repeat(depth)}1${']'.repeat(depth)},"b":2}`, trie);
    expect(fields instanceof Map && fields.get('b')).toEqual([{ value: 2, membership: [] }]);
    expect(flattenJson(`{"a":${'['.repeat(depth)}1${']'.repeat(depth - 1)},"b":2}`, trie)).toBe('not-an-object');
  });
});

describe('PatternIndex.matchJson', () => {
  it('answers like match on the parsed event', () => {
    const index = new PatternIndex<string>();
    index.add('type', { type: ['hr.employee.updated'] });
    index.add('city', { data: { address: { city: [{ 'equals-ignore-case': 'berlin' }] } } });
    index.add('pair', { data: { staff: { first: ['Anna'], last: ['Jones'] } } });
    const event = {
      type: 'hr.employee.updated',
      data: { address: { city: 'BERLIN' }, staff: [{ first: 'Anna', last: 'Smith' }, { first: 'Peter', last: 'Jones' }], big: [1, 2, 3] },
    };
    expect(index.matchJson(JSON.stringify(event)).sort()).toEqual(index.match(event).sort());
    expect(index.matchJson(JSON.stringify(event)).sort()).toEqual(['city', 'type']);
  });

  it('uses the last value of a repeated key, as JSON.parse does', () => {
    const index = new PatternIndex<string>();
    index.add('r', { a: ['2'] });
    expect(index.matchJson('{"a":"1","a":"2"}')).toEqual(['r']);
    expect(index.matchJson('{"a":"2","a":"1"}')).toEqual([]);
  });

  it('matches nothing for text that is not JSON', () => {
    const index = new PatternIndex<string>();
    index.add('r', { a: [{ exists: false }] });
    expect(index.matchJson('{"b":1,}')).toEqual([]);
    expect(index.matchJson('not json')).toEqual([]);
    expect(index.matchJson('{"b":1}')).toEqual(['r']);
  });
});
