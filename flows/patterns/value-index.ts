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

  /** Calls visit with each list of entries whose piece the value starts (ends) with. */
  lookup(value: string, visit: (entries: readonly E[]) => void): void {
    for (const length of this.lengths) {
      if (length > value.length) break;
      let piece = this.fromEnd ? value.slice(value.length - length) : value.slice(0, length);
      if (this.fold) {
        if (!isAscii(piece)) continue;
        piece = piece.toLowerCase();
      }
      const entries = this.byPiece.get(piece);
      if (entries !== undefined) visit(entries);
    }
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

  /** Pushes the target of every test the event value passes into `out` (a target may come more than once). */
  collect(field: EventField, out: T[]): void {
    if (this.exists !== undefined) for (const t of this.exists) out.push(t);
    if (this.checked !== undefined) for (const c of this.checked) if (testValue(c.matcher, field)) out.push(c.target);
    const value = field.value;
    if (typeof value === 'string') this.collectString(value, field, out);
    else if (typeof value === 'number') {
      pushAll(this.numbers?.get(value), out);
      if (this.numeric !== undefined && isComparableNumber(value)) this.numeric.collect(value, out);
    } else {
      pushAll(this.literals?.get(value), out);
    }
  }

  private collectString(value: string, field: EventField, out: T[]): void {
    pushAll(this.strings?.get(value), out);
    const pushEntries = (entries: readonly T[]): void => pushAll(entries, out);
    this.prefixes?.lookup(value, pushEntries);
    this.suffixes?.lookup(value, pushEntries);
    if (this.foldedWhole !== undefined && isAscii(value)) pushAll(this.foldedWhole.get(value.toLowerCase()), out);
    this.foldedStart?.lookup(value, pushEntries);
    this.foldedEnd?.lookup(value, pushEntries);
    const verify = (entries: readonly Checked<T>[]): void => {
      for (const c of entries) if (testValue(c.matcher, field)) out.push(c.target);
    };
    this.wildcardsByStart?.lookup(value, verify);
    this.wildcardsByEnd?.lookup(value, verify);
    if (this.ips !== undefined || this.cidr4 !== undefined || this.cidr6 !== undefined) {
      const hex = ipOfField(field);
      if (hex !== null) {
        pushAll(this.ips?.get(hex), out);
        (hex.length === IPV4_HEX_LENGTH ? this.cidr4 : this.cidr6)?.collect(hex, out);
      }
    }
  }

  private cidrSet(low: string): IntervalSet<string, T> {
    if (low.length === IPV4_HEX_LENGTH) return (this.cidr4 ??= new IntervalSet());
    return (this.cidr6 ??= new IntervalSet());
  }
}

function pushAll<T>(entries: readonly T[] | undefined, out: T[]): void {
  if (entries !== undefined) for (const t of entries) out.push(t);
}

function cidrInterval(matcher: { readonly low: string; readonly high: string }): Interval<string> {
  return { low: matcher.low, lowOpen: false, high: matcher.high, highOpen: false };
}
