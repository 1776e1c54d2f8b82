// The value tests of the pattern language, one per operator, and the reference test of a
// single event value against one. The index (pattern-index.ts) finds the same matches
// through hash maps and sorted structures; this is what it must agree with.

import { isComparableNumber } from './comparable-number.ts';
import type { NumericRange } from './numeric-range.ts';
import type { EventField } from './event-fields.ts';
import { matchesIgnoreCase, type IgnoreCaseMatcher } from './ignore-case.ts';
import { ipAddressToHex } from './ip-address.ts';
import { matchesWildcard, type Wildcard } from './wildcard.ts';


/** One value test of a pattern field. Strings-only operators never match other types. */
export type ValueMatcher =
  | { readonly kind: 'exact-string'; readonly value: string }
  | { readonly kind: 'exact-number'; readonly value: number }
  | { readonly kind: 'literal'; readonly value: boolean | null }
  /** A string pattern that is an IP address: matches any spelling of the same address. */
  | { readonly kind: 'ip'; readonly hex: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'ignore-case'; readonly matcher: IgnoreCaseMatcher }
  | { readonly kind: 'wildcard'; readonly wildcard: Wildcard }
  | { readonly kind: 'numeric'; readonly range: NumericRange }
  | { readonly kind: 'cidr'; readonly low: string; readonly high: string }
  | { readonly kind: 'exists' }
  | { readonly kind: 'anything-but'; readonly strings: ReadonlySet<string>; readonly numbers: ReadonlySet<number> }
  | { readonly kind: 'anything-but-prefix'; readonly values: readonly string[] }
  | { readonly kind: 'anything-but-suffix'; readonly values: readonly string[] }
  | { readonly kind: 'anything-but-ignore-case'; readonly matchers: readonly IgnoreCaseMatcher[] }
  | { readonly kind: 'anything-but-wildcard'; readonly wildcards: readonly Wildcard[] };

/** The hex address of a string event value (cached on the field), or null. */
export function ipOfField(field: EventField): string | null {
  if (field.ip === undefined) field.ip = typeof field.value === 'string' ? ipAddressToHex(field.value) : null;
  return field.ip;
}

/** Whether a number lies in the range (callers check that it is comparable). */
export function isInRange(range: NumericRange, value: number): boolean {
  return (range.lowOpen ? value > range.low : value >= range.low) && (range.highOpen ? value < range.high : value <= range.high);
}

/** Whether one event value passes one value test. */
export function testValue(matcher: ValueMatcher, field: EventField): boolean {
  const value = field.value;
  switch (matcher.kind) {
    case 'exact-string':
    case 'exact-number':
    case 'literal':
      return value === matcher.value;
    case 'ip':
      return typeof value === 'string' && ipOfField(field) === matcher.hex;
    case 'prefix':
      return typeof value === 'string' && value.startsWith(matcher.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(matcher.value);
    case 'ignore-case':
      return typeof value === 'string' && matchesIgnoreCase(matcher.matcher, value);
    case 'wildcard':
      return typeof value === 'string' && matchesWildcard(matcher.wildcard, value);
    case 'numeric':
      return typeof value === 'number' && isComparableNumber(value) && isInRange(matcher.range, value);
    case 'cidr': {
      if (typeof value !== 'string') return false;
      const ip = ipOfField(field);
      return ip !== null && ip.length === matcher.low.length && ip >= matcher.low && ip <= matcher.high;
    }
    case 'exists':
      return true;
    // anything-but: a value of another type than the excluded ones always qualifies.
    case 'anything-but':
      if (typeof value === 'string') return !matcher.strings.has(value);
      if (typeof value === 'number') return !matcher.numbers.has(value);
      return true;
    case 'anything-but-prefix':
      return typeof value !== 'string' || !matcher.values.some((p) => value.startsWith(p));
    case 'anything-but-suffix':
      return typeof value !== 'string' || !matcher.values.some((s) => value.endsWith(s));
    case 'anything-but-ignore-case':
      return typeof value !== 'string' || !matcher.matchers.some((m) => matchesIgnoreCase(m, value));
    case 'anything-but-wildcard':
      return typeof value !== 'string' || !matcher.wildcards.some((w) => matchesWildcard(w, value));
  }
}

/** A stable text for a value test, so that equal tests of different rules can share index entries. */
export function describeMatcher(matcher: ValueMatcher): string {
  switch (matcher.kind) {
    case 'exact-string':
    case 'exact-number':
    case 'literal':
    case 'prefix':
    case 'suffix':
      return `${matcher.kind}:${JSON.stringify(matcher.value)}`;
    case 'ip':
      return `ip:${matcher.hex}`;
    case 'ignore-case':
      return `ignore-case:${matcher.matcher.anchor}:${JSON.stringify(matcher.matcher.source)}`;
    case 'wildcard':
      return `wildcard:${JSON.stringify(matcher.wildcard.source)}`;
    case 'numeric': {
      const r = matcher.range;
      return `numeric:${r.lowOpen ? '(' : '['}${r.low},${r.high}${r.highOpen ? ')' : ']'}`;
    }
    case 'cidr':
      return `cidr:${matcher.low}-${matcher.high}`;
    case 'exists':
      return 'exists';
    case 'anything-but':
      return `anything-but:${JSON.stringify([[...matcher.strings].sort(), [...matcher.numbers].sort((a, b) => a - b)])}`;
    case 'anything-but-prefix':
    case 'anything-but-suffix':
      return `${matcher.kind}:${JSON.stringify([...matcher.values].sort())}`;
    case 'anything-but-ignore-case':
      return `${matcher.kind}:${JSON.stringify(matcher.matchers.map((m) => m.source).sort())}`;
    case 'anything-but-wildcard':
      return `${matcher.kind}:${JSON.stringify(matcher.wildcards.map((w) => w.source).sort())}`;
  }
}
