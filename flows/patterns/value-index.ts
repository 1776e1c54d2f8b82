// The value tests of one field at one state of the index, organised for lookup: exact
// values by hash, prefixes and suffixes by their length buckets, case-insensitive ASCII
// values by their lower-case form, wildcards by their literal start or end, numeric and
// CIDR ranges in interval trees. What cannot be indexed (anything-but, odd wildcards,
// non-ASCII case-insensitive values) is tested one by one: those tests mostly succeed,
// so their cost is the cost of the matches they produce.

import { isComparableNumber } from './comparable-number.ts';
import type { EventField } from './event-fields.ts';
import { isAscii } from './ignore-case.ts';
import { IntervalSet, type Interval } from './interval-set.ts';
import { ipOfField, testValue, type ValueMatcher } from './value-matcher.ts';

const IPV4_HEX_LENGTH = 8;

interface Checked<T> {
  readonly matcher: ValueMatcher;
  readonly target: T;
}

/** Lists by key; the same target may sit in a list more than once (once per test that put it there). */
class MultiMap<Key, E> {
  private readonly map = new Map<Key, E[]>();

  add(key: Key, entry: E): void {
    const list = this.map.get(key);
    if (list === undefined) this.map.set(key, [entry]);
    else list.push(entry);
  }

  remove(key: Key, matches: (entry: E) => boolean): void {
    const list = this.map.get(key);
    if (list === undefined) return;
    const i = list.findIndex(matches);
    if (i < 0) return;
    if (list.length === 1) this.map.delete(key);
    else list.splice(i, 1);
  }

  get(key: Key): readonly E[] | undefined {
    return this.map.get(key);
  }
}

/**
 * Entries keyed by a piece the event string must start (or end) with. A lookup tries each
 * distinct piece length once, so it costs one hash lookup per length, not one per entry.
 * With `fold`, pieces are ASCII lower-case and the event slice is folded the same way.
 */
class AffixTable<E> {
  private readonly byPiece = new MultiMap<string, E>();
  private readonly lengthCounts = new Map<number, number>();
  private lengths: number[] = [];

  constructor(
    private readonly fromEnd: boolean,
    private readonly fold: boolean,
  ) {}

  add(piece: string, entry: E): void {
    this.byPiece.add(piece, entry);
    const n = this.lengthCounts.get(piece.length) ?? 0;
    this.lengthCounts.set(piece.length, n + 1);
    if (n === 0) this.lengths = [...this.lengthCounts.keys()].sort((a, b) => a - b);
  }

  remove(piece: string, matches: (entry: E) => boolean): void {
    this.byPiece.remove(piece, matches);
    const n = this.lengthCounts.get(piece.length) ?? 0;
    if (n <= 1) {
      this.lengthCounts.delete(piece.length);
      this.lengths = [...this.lengthCounts.keys()].sort((a, b) => a - b);
    } else {
      this.lengthCounts.set(piece.length, n - 1);
    }
  }

  get isEmpty(): boolean {
    return this.lengthCounts.size === 0;
  }

  /** Writes every entry whose piece the value starts (ends) with into `out` from `n` on; returns the new count. */
  collect(value: string, out: E[], n: number): number {
    for (const length of this.lengths) {
      if (length > value.length) break;
      let piece = this.fromEnd ? value.slice(value.length - length) : value.slice(0, length);
      if (this.fold) {
        if (!isAscii(piece)) continue;
        piece = piece.toLowerCase();
      }
      n = writeAll(this.byPiece.get(piece), out, n);
    }
    return n;
  }
}

/** The tests of one field at one index state, each leading to a target. */
export class ValueIndex<T> {
  private count = 0;
  private strings?: MultiMap<string, T>;
  private numbers?: MultiMap<number, T>;
  private literals?: MultiMap<boolean | null, T>;
  private ips?: MultiMap<string, T>;
  private prefixes?: AffixTable<T>;
  private suffixes?: AffixTable<T>;
  private foldedWhole?: MultiMap<string, T>;
  private foldedStart?: AffixTable<T>;
  private foldedEnd?: AffixTable<T>;
  private wildcardsByStart?: AffixTable<Checked<T>>;
  private wildcardsByEnd?: AffixTable<Checked<T>>;
  private numeric?: IntervalSet<number, T>;
  // IPv4 and IPv6 addresses apart: their hex forms differ in length and must not be compared.
  private cidr4?: IntervalSet<string, T>;
  private cidr6?: IntervalSet<string, T>;
  private exists?: T[];
  private checked?: Checked<T>[];

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Adds a test leading to a target. */
  add(matcher: ValueMatcher, target: T): void {
    this.count++;
    switch (matcher.kind) {
      case 'exact-string':
        return (this.strings ??= new MultiMap()).add(matcher.value, target);
      case 'exact-number':
        return (this.numbers ??= new MultiMap()).add(matcher.value, target);
      case 'literal':
        return (this.literals ??= new MultiMap()).add(matcher.value, target);
      case 'ip':
        return (this.ips ??= new MultiMap()).add(matcher.hex, target);
      case 'prefix':
        return (this.prefixes ??= new AffixTable(false, false)).add(matcher.value, target);
      case 'suffix':
        return (this.suffixes ??= new AffixTable(true, false)).add(matcher.value, target);
      case 'ignore-case': {
        const { asciiLower, anchor } = matcher.matcher;
        if (asciiLower === null) break;
        if (anchor === 'whole') return (this.foldedWhole ??= new MultiMap()).add(asciiLower, target);
        if (anchor === 'start') return (this.foldedStart ??= new AffixTable(false, true)).add(asciiLower, target);
        return (this.foldedEnd ??= new AffixTable(true, true)).add(asciiLower, target);
      }
      case 'wildcard': {
        const pieces = matcher.wildcard.pieces;
        const first = pieces[0] ?? '';
        const last = pieces[pieces.length - 1] ?? '';
        if (first !== '') return (this.wildcardsByStart ??= new AffixTable(false, false)).add(first, { matcher, target });
        if (last !== '') return (this.wildcardsByEnd ??= new AffixTable(true, false)).add(last, { matcher, target });
        break;
      }
      case 'numeric':
        return (this.numeric ??= new IntervalSet()).add(matcher.range, target);
      case 'cidr':
        return this.cidrSet(matcher.low).add(cidrInterval(matcher), target);
      case 'exists':
        (this.exists ??= []).push(target);
        return;
      default:
        break;
    }
    (this.checked ??= []).push({ matcher, target });
  }

  /** Removes one occurrence of a test (the same matcher object that was added) leading to the target. */
  remove(matcher: ValueMatcher, target: T): void {
    this.count--;
    const isTarget = (t: T): boolean => t === target;
    const isEntry = (c: Checked<T>): boolean => c.matcher === matcher && c.target === target;
    switch (matcher.kind) {
      case 'exact-string':
        return this.strings?.remove(matcher.value, isTarget);
      case 'exact-number':
        return this.numbers?.remove(matcher.value, isTarget);
      case 'literal':
        return this.literals?.remove(matcher.value, isTarget);
      case 'ip':
        return this.ips?.remove(matcher.hex, isTarget);
      case 'prefix':
        return this.prefixes?.remove(matcher.value, isTarget);
      case 'suffix':
        return this.suffixes?.remove(matcher.value, isTarget);
      case 'ignore-case': {
        const { asciiLower, anchor } = matcher.matcher;
        if (asciiLower === null) break;
        if (anchor === 'whole') return this.foldedWhole?.remove(asciiLower, isTarget);
        if (anchor === 'start') return this.foldedStart?.remove(asciiLower, isTarget);
        return this.foldedEnd?.remove(asciiLower, isTarget);
      }
      case 'wildcard': {
        const pieces = matcher.wildcard.pieces;
        const first = pieces[0] ?? '';
        const last = pieces[pieces.length - 1] ?? '';
        if (first !== '') return this.wildcardsByStart?.remove(first, isEntry);
        if (last !== '') return this.wildcardsByEnd?.remove(last, isEntry);
        break;
      }
      case 'numeric':
        return this.numeric?.remove(matcher.range, target);
      case 'cidr':
        return this.cidrSet(matcher.low).remove(cidrInterval(matcher), target);
      case 'exists': {
        const i = this.exists?.indexOf(target) ?? -1;
        if (i >= 0) this.exists?.splice(i, 1);
        return;
      }
      default:
        break;
    }
    const i = this.checked?.findIndex(isEntry) ?? -1;
    if (i >= 0) this.checked?.splice(i, 1);
  }

  /**
   * Writes the target of every test the event value passes into `out`, starting at index 0
   * (a target may come more than once); returns how many it wrote. Writing by index spares
   * resetting the array for each value.
   */
  collect(field: EventField, out: T[]): number {
    let n = 0;
    if (this.exists !== undefined) n = writeAll(this.exists, out, n);
    if (this.checked !== undefined) for (const c of this.checked) if (testValue(c.matcher, field)) out[n++] = c.target;
    const value = field.value;
    if (typeof value === 'string') return this.collectString(value, field, out, n);
    if (typeof value === 'number') {
      if (this.numbers !== undefined) n = writeAll(this.numbers.get(value), out, n);
      if (this.numeric !== undefined && isComparableNumber(value)) n = this.numeric.collect(value, out, n);
      return n;
    }
    return this.literals === undefined ? n : writeAll(this.literals.get(value), out, n);
  }

  private collectString(value: string, field: EventField, out: T[], n: number): number {
    if (this.strings !== undefined) n = writeAll(this.strings.get(value), out, n);
    if (this.prefixes !== undefined) n = this.prefixes.collect(value, out, n);
    if (this.suffixes !== undefined) n = this.suffixes.collect(value, out, n);
    if (this.foldedWhole !== undefined && isAscii(value)) n = writeAll(this.foldedWhole.get(value.toLowerCase()), out, n);
    if (this.foldedStart !== undefined) n = this.foldedStart.collect(value, out, n);
    if (this.foldedEnd !== undefined) n = this.foldedEnd.collect(value, out, n);
    if (this.wildcardsByStart !== undefined || this.wildcardsByEnd !== undefined) {
      // Candidates share their literal start or end with the value; the rest of the wildcard decides.
      const candidates: Checked<T>[] = [];
      let count = this.wildcardsByStart?.collect(value, candidates, 0) ?? 0;
      count = this.wildcardsByEnd?.collect(value, candidates, count) ?? count;
      for (let i = 0; i < count; i++) {
        const c = candidates[i] as Checked<T>;
        if (testValue(c.matcher, field)) out[n++] = c.target;
      }
    }
    if (this.ips !== undefined || this.cidr4 !== undefined || this.cidr6 !== undefined) {
      const hex = ipOfField(field);
      if (hex !== null) {
        if (this.ips !== undefined) n = writeAll(this.ips.get(hex), out, n);
        const ranges = hex.length === IPV4_HEX_LENGTH ? this.cidr4 : this.cidr6;
        if (ranges !== undefined) n = ranges.collect(hex, out, n);
      }
    }
    return n;
  }

  private cidrSet(low: string): IntervalSet<string, T> {
    if (low.length === IPV4_HEX_LENGTH) return (this.cidr4 ??= new IntervalSet());
    return (this.cidr6 ??= new IntervalSet());
  }
}

function writeAll<T>(entries: readonly T[] | undefined, out: T[], n: number): number {
  if (entries !== undefined) for (let i = 0; i < entries.length; i++) out[n++] = entries[i] as T;
  return n;
}

function cidrInterval(matcher: { readonly low: string; readonly high: string }): Interval<string> {
  return { low: matcher.low, lowOpen: false, high: matcher.high, highOpen: false };
}
