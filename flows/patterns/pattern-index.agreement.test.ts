// The index must give exactly the answers of the patterns evaluated one by one. Seeded
// random patterns and events (small vocabularies, so that matches are frequent) check
// that, also while rules are added, replaced and removed.

import { describe, expect, it } from 'vitest';
import { compilePattern, type CompiledPattern } from './pattern.ts';
import { PatternIndex } from './pattern-index.ts';
import { seededRandom } from './seeded-random.ts';

const STRINGS = ['foo', 'Foo', 'bar', 'foobar', '', '10.0.0.1', '10.0.0.9', '::1', 'a*b', 'ß', 'SS'];
const NUMBERS = [0, 1, 2.5, -3, 300, 1e3];
const LEAVES = [...STRINGS, ...NUMBERS, true, false, null];
const PATHS = ['a', 'b', 'c.d', 'c.e', 'list.x', 'list.y'];

function generators(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const operand = (): unknown => {
    switch (Math.floor(random() * 16)) {
      case 0: return { prefix: pick(['f', 'fo', 'b', '', '10.']) };
      case 1: return { suffix: pick(['o', 'bar', 'r', '.1']) };
      case 2: return { 'equals-ignore-case': pick(['FOO', 'bar', 'ss', 'ß']) };
      case 3: return { wildcard: pick(['f*', '*o', '*o*', 'f*b*r', '*', 'a\\*b']) };
      case 4: return { numeric: pick([['>', 0], ['<=', 2.5], ['>=', -3, '<', 300], ['=', 1e3]]) };
      case 5: return { cidr: pick(['10.0.0.0/29', '10.0.0.8/30', '::/1']) };
      case 6: return { exists: random() < 0.5 };
      case 7: return { 'anything-but': pick(['foo', ['foo', 'bar'], 0, [1, 300]]) };
      case 8: return { 'anything-but': { prefix: pick(['f', 'b']) } };
      case 9: return { 'anything-but': { suffix: 'o' } };
      case 10: return { 'anything-but': { 'equals-ignore-case': ['FOO', 'ss'] } };
      case 11: return { 'anything-but': { wildcard: '*o*' } };
      case 12: return { prefix: { 'equals-ignore-case': 'FO' } };
      case 13: return { suffix: { 'equals-ignore-case': 'AR' } };
      default: return pick(LEAVES);
    }
  };
  const fieldsObject = (count: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      out[pick(PATHS)] = Array.from({ length: 1 + Math.floor(random() * 2) }, operand);
    }
    return out;
  };
  const pattern = (): unknown => {
    const base = fieldsObject(1 + Math.floor(random() * 3));
    if (random() < 0.25) base.$or = [fieldsObject(1), fieldsObject(1 + Math.floor(random() * 2))];
    return base;
  };
  const leaf = (): unknown => (random() < 0.2 ? Array.from({ length: Math.floor(random() * 3) }, () => pick(LEAVES)) : pick(LEAVES));
  const event = (): unknown => {
    const e: Record<string, unknown> = {};
    if (random() < 0.8) e.a = leaf();
    if (random() < 0.6) e.b = leaf();
    if (random() < 0.6) e.c = random() < 0.5 ? { d: leaf(), e: leaf() } : { 'd': leaf() };
    if (random() < 0.2) e['c.e'] = leaf();
    if (random() < 0.6) {
      e.list = Array.from({ length: Math.floor(random() * 4) }, () => (random() < 0.8 ? { x: leaf(), y: leaf() } : { x: leaf() }));
    }
    return e;
  };
  return { pattern, event, pick };
}

/** The keys whose pattern, evaluated on its own, matches the event. */
function expectedKeys(compiled: ReadonlyMap<number, CompiledPattern>, event: unknown): number[] {
  return [...compiled].filter(([, c]) => c.matches(event)).map(([k]) => k).sort((x, y) => x - y);
}

/** Replaces (or, with probability `removeShare`, removes) a random key's pattern in the index and in `compiled`. */
function churn(
  random: () => number, index: PatternIndex<number>, compiled: Map<number, CompiledPattern>, keyCount: number, removeShare: number, pattern: () => unknown,
): void {
  const key = Math.floor(random() * keyCount);
  if (random() < removeShare) {
    index.remove(key);
    compiled.delete(key);
  } else {
    const c = compilePattern(pattern());
    index.add(key, c);
    compiled.set(key, c);
  }
}

describe('PatternIndex agreement with single patterns', () => {
  it('returns exactly the keys whose compiled pattern matches, for random patterns and events', () => {
    const random = seededRandom(20240502);
    const { pattern, event } = generators(random);
    const index = new PatternIndex<number>();
    const compiled = new Map<number, CompiledPattern>();
    for (let key = 0; key < 400; key++) {
      const c = compilePattern(pattern());
      compiled.set(key, c);
      index.add(key, c);
    }
    let matched = 0;
    for (let i = 0; i < 1500; i++) {
      const e = event();
      const expected = expectedKeys(compiled, e);
      expect(index.match(e).sort((x, y) => x - y), JSON.stringify(e)).toEqual(expected);
      expect(index.matchJson(JSON.stringify(e, null, i % 2)).sort((x, y) => x - y), JSON.stringify(e)).toEqual(expected);
      matched += expected.length;
    }
    // The generator must produce real matches, or the comparison proves nothing.
    expect(matched).toBeGreaterThan(1500);
  });

  it('keeps agreeing while keys are replaced and removed', () => {
    const random = seededRandom(7);
    const { pattern, event } = generators(random);
    const index = new PatternIndex<number>();
    const compiled = new Map<number, CompiledPattern>();
    for (let round = 0; round < 300; round++) {
      churn(random, index, compiled, 60, 0.35, pattern);
      expect(index.size).toBe(compiled.size);
      for (let i = 0; i < 5; i++) {
        const e = event();
        expect(index.match(e).sort((x, y) => x - y)).toEqual(expectedKeys(compiled, e));
      }
    }
    for (let key = 0; key < 60; key++) index.remove(key);
    expect(index.size).toBe(0);
    expect(index.match({ a: 'foo' })).toEqual([]);
  });

  // Fields that only numeric tests use are read through a filter (the union of their
  // intervals); these cases keep such fields busy: many numbers in nested arrays and in
  // arrays of objects, values of other types among them, rules that turn the filter off
  // (another operator on the same field) coming and going.
  it('agrees on numeric-only fields with many numbers, nested arrays and arrays of objects', () => {
    const random = seededRandom(4242);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const NUMS = [-2, -1.5, -0.000001, 0, 0.5, 1, 1.25, 2, 3, 7.000001, 10, 1e3, 5e11, 6e11, 0.1234567];
    const number = (): number => (random() < 0.7 ? pick(NUMS) : Math.round((random() * 24 - 12) * 1e6) / 1e6);
    const numericOperand = (): unknown => {
      const a = pick(NUMS.slice(0, 13));
      const b = pick(NUMS.slice(0, 13));
      const [low, high] = a < b ? [a, b] : [b, a];
      switch (Math.floor(random() * 6)) {
        case 0: return { numeric: [pick(['>', '>=']), low] };
        case 1: return { numeric: [pick(['<', '<=']), high] };
        case 2: return { numeric: ['=', a] };
        case 3: return low < high ? { numeric: [pick(['>', '>=']), low, pick(['<', '<=']), high] } : { numeric: ['>=', low] };
        case 4: return a;
        default: return { numeric: ['>', -1, '<=', 2] };
      }
    };
    // Mostly numeric tests; now and then another operator on the same field.
    const operand = (): unknown =>
      random() < 0.9 ? numericOperand() : pick([{ exists: true }, { exists: false }, { 'anything-but': [0, 1] }, 'x', { prefix: '1' }]);
    const PATHS = ['geo.coords', 'n', 'list.x', 'list.y', 'list.inner.v'];
    const pattern = (): unknown => {
      const out: Record<string, unknown> = {};
      for (let i = 1 + Math.floor(random() * 3); i > 0; i--) {
        out[pick(PATHS)] = Array.from({ length: 1 + Math.floor(random() * 2) }, operand);
      }
      if (random() < 0.15) out.$or = [{ n: [numericOperand()] }, { 'list.x': [numericOperand()] }];
      return out;
    };
    const scalar = (): unknown => (random() < 0.85 ? number() : pick(['1', 'x', true, null]));
    const numbers = (depth: number): unknown[] =>
      Array.from({ length: Math.floor(random() * 5) }, () => (depth < 3 && random() < 0.4 ? numbers(depth + 1) : scalar()));
    const event = (): unknown => {
      const e: Record<string, unknown> = {};
      if (random() < 0.8) e.geo = { type: 'Polygon', coords: random() < 0.1 ? scalar() : numbers(0) };
      if (random() < 0.7) e.n = random() < 0.5 ? scalar() : numbers(1);
      if (random() < 0.7) {
        e.list = Array.from({ length: Math.floor(random() * 4) }, () => ({
          x: random() < 0.3 ? numbers(2) : scalar(),
          y: scalar(),
          inner: random() < 0.5 ? [{ v: scalar() }, { v: numbers(2) }] : { v: scalar() },
        }));
      }
      return e;
    };
    const index = new PatternIndex<number>();
    const compiled = new Map<number, CompiledPattern>();
    let matched = 0;
    for (let round = 0; round < 400; round++) {
      churn(random, index, compiled, 80, 0.25, pattern);
      for (let i = 0; i < 6; i++) {
        const e = event();
        const expected = expectedKeys(compiled, e);
        expect(index.match(e).sort((x, y) => x - y), JSON.stringify(e)).toEqual(expected);
        expect(index.matchJson(JSON.stringify(e, null, i % 2)).sort((x, y) => x - y), JSON.stringify(e)).toEqual(expected);
        matched += expected.length;
      }
    }
    expect(matched).toBeGreaterThan(2000);
  });
});
