// The index must give exactly the answers of the patterns evaluated one by one. Seeded
// random patterns and events (small vocabularies, so that matches are frequent) check
// that, also while rules are added, replaced and removed.

import { describe, expect, it } from 'vitest';
import { compilePattern, type CompiledPattern } from './pattern.ts';
import { PatternIndex } from './pattern-index.ts';

/** Mulberry32: a small seeded generator, so every run sees the same cases. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
      const expected = [...compiled].filter(([, c]) => c.matches(e)).map(([k]) => k).sort((x, y) => x - y);
      expect(index.match(e).sort((x, y) => x - y), JSON.stringify(e)).toEqual(expected);
      expect(index.matchJson(JSON.stringify(e, null, i % 2)).sort((x, y) => x - y), JSON.stringify(e)).toEqual(expected);
      matched += expected.length;
    }
    // The generator must produce real matches, or the comparison proves nothing.
    expect(matched).toBeGreaterThan(1500);
  });

  it('keeps agreeing while keys are replaced and removed', () => {
    const random = seededRandom(7);
    const { pattern, event, pick } = generators(random);
    const index = new PatternIndex<number>();
    const compiled = new Map<number, CompiledPattern>();
    const keys = Array.from({ length: 60 }, (_, i) => i);
    for (let round = 0; round < 300; round++) {
      const key = pick(keys);
      if (random() < 0.35) {
        index.remove(key);
        compiled.delete(key);
      } else {
        const c = compilePattern(pattern());
        index.add(key, c);
        compiled.set(key, c);
      }
      expect(index.size).toBe(compiled.size);
      for (let i = 0; i < 5; i++) {
        const e = event();
        const expected = [...compiled].filter(([, c]) => c.matches(e)).map(([k]) => k).sort((x, y) => x - y);
        expect(index.match(e).sort((x, y) => x - y)).toEqual(expected);
      }
    }
    for (const key of keys) index.remove(key);
    expect(index.size).toBe(0);
    expect(index.match({ a: 'foo' })).toEqual([]);
  });
});
