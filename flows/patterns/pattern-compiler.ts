// Parses an event pattern (already JSON-parsed) into sub-rules: lists of field conditions
// that must all hold, one list per combination of `$or` branches. Checks follow the order
// of event-ruler's JsonRuleCompiler so that the first problem reported for an invalid
// pattern carries the reason event-ruler gives. Unlike event-ruler, parsing goes on after
// a problem, so that every invalid field of a pattern is reported at once.

import type { Problem } from '../error-codes.ts';
import { checkComparableNumber, NUMERIC_LIMIT } from './comparable-number.ts';
import { compileIgnoreCase, type IgnoreCaseAnchor } from './ignore-case.ts';
import { ipAddressToHex, parseCidr } from './ip-address.ts';
import type { NumericRange } from './numeric-range.ts';
import { describeMatcher, type ValueMatcher } from './value-matcher.ts';
import { parseWildcard, type Wildcard } from './wildcard.ts';

/** What one field of a sub-rule requires: any matcher passing on some value, or (when absent) no value. */
export interface FieldCondition {
  /** Dotted path of the field in the event ("data.status"). */
  readonly path: string;
  readonly matchers: readonly ValueMatcher[];
  /** `{"exists": false}` is among the field's values. */
  readonly absent: boolean;
  /** A stable text of path and tests; equal keys mean equal conditions. */
  readonly key: string;
}

/** Conditions that must all hold, sorted by path (event-ruler walks fields in this order). */
export interface SubRule {
  readonly conditions: readonly FieldCondition[];
}

/** A valid pattern, ready to match. */
export interface ParsedPattern {
  readonly subRules: readonly SubRule[];
  /** Every field path the sub-rules test (each once), for skipping the rest of an event. */
  readonly paths: readonly string[];
}

/** The most sub-rules `$or` may expand a pattern into. */
export const MAX_OR_COMBINATIONS = 1000;
/** Patterns nested deeper than this are refused (JSON parsers refuse such documents too). */
export const MAX_PATTERN_DEPTH = 1000;

const OR = '$or';
// Keys event-ruler reserves inside $or, current operators and ones kept for later.
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

interface FieldSpec {
  readonly matchers: readonly ValueMatcher[];
  readonly absent: boolean;
}
type Branch = Map<string, FieldSpec>;
type AnythingButMode = 'values' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

/** Parses a pattern; on problems returns them (never throws) and no parsed pattern. */
export function parsePattern(pattern: unknown): { parsed: ParsedPattern | null; problems: Problem[] } {
  const modern = new PatternParser(true);
  const branches = modern.parseRoot(pattern);
  if (modern.problems.length === 0) return { parsed: buildParsed(branches), problems: [] };
  // event-ruler falls back to its older compiler, which reads "$or" as an ordinary field name,
  // so that patterns written before $or existed keep working.
  if (containsOrKey(pattern)) {
    const legacy = new PatternParser(false);
    const legacyBranches = legacy.parseRoot(pattern);
    if (legacy.problems.length === 0) return { parsed: buildParsed(legacyBranches), problems: [] };
  }
  return { parsed: null, problems: modern.problems };
}

class PatternParser {
  readonly problems: Problem[] = [];

  constructor(private readonly orAware: boolean) {}

  parseRoot(pattern: unknown): Branch[] {
    if (!isPlainObject(pattern)) {
      this.fail('', 'Filter is not an object');
      return [];
    }
    return this.parseObject(pattern, [], '', [], false, 1);
  }

  private fail(path: string, message: string): null {
    this.problems.push({ code: 'ERR_PATTERN_INVALID', path, message });
    return null;
  }

  private parseObject(
    object: Record<string, unknown>, fieldPath: readonly string[], loc: string, branches: Branch[], insideOr: boolean, depth: number,
  ): Branch[] {
    if (depth > MAX_PATTERN_DEPTH) {
      this.fail(loc, `Pattern nesting is deeper than ${MAX_PATTERN_DEPTH} levels`);
      return branches;
    }
    const keys = Object.keys(object);
    if (keys.length === 0) {
      this.fail(loc, 'Empty objects are not allowed');
      return branches;
    }
    for (const key of keys) {
      const value = object[key];
      const keyLoc = joinLoc(loc, key);
      if (this.orAware && key === OR) {
        branches = this.parseOr(value, fieldPath, keyLoc, branches, depth);
        continue;
      }
      if (insideOr && RESERVED_IN_OR.has(key)) {
        this.fail(keyLoc, `${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
        continue;
      }
      if (isPlainObject(value)) {
        branches = this.parseObject(value, [...fieldPath, key], keyLoc, branches, insideOr, depth + 1);
      } else if (Array.isArray(value)) {
        const spec = this.parseValues(value, keyLoc);
        if (spec !== null) branches = putField(branches, [...fieldPath, key].join('.'), spec);
      } else {
        this.fail(keyLoc, `"${key}" must be an object or an array`);
      }
    }
    return branches;
  }

  private parseOr(value: unknown, fieldPath: readonly string[], loc: string, branches: Branch[], depth: number): Branch[] {
    if (!Array.isArray(value)) {
      this.fail(loc, `It must be an Array followed with ${OR}.`);
      return branches;
    }
    const expanded: Branch[] = [];
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (!isPlainObject(element)) {
        this.fail(`${loc}[${i}]`, `Only JSON object is allowed in array of ${OR} relationship.`);
        return branches;
      }
      const copies = branches.length === 0 ? [new Map<string, FieldSpec>()] : branches.map((b) => new Map(b));
      expanded.push(...this.parseObject(element, fieldPath, `${loc}[${i}]`, copies, true, depth + 1));
      if (expanded.length > MAX_OR_COMBINATIONS) {
        this.fail(loc, `The pattern expands to more than ${MAX_OR_COMBINATIONS} combinations of ${OR} branches`);
        return branches;
      }
    }
    if (value.length < 2) {
      this.fail(loc, `There must have at least 2 Objects in ${OR} relationship.`);
      return branches;
    }
    return expanded;
  }

  private parseValues(values: readonly unknown[], loc: string): FieldSpec | null {
    if (values.length === 0) return this.fail(loc, 'Empty arrays are not allowed');
    const matchers: ValueMatcher[] = [];
    let absent = false;
    let ok = true;
    values.forEach((value, i) => {
      const itemLoc = `${loc}[${i}]`;
      if (typeof value === 'string') {
        const hex = ipAddressToHex(value);
        matchers.push(hex === null ? { kind: 'exact-string', value } : { kind: 'ip', hex });
      } else if (typeof value === 'number' && Number.isFinite(value)) {
        matchers.push({ kind: 'exact-number', value });
      } else if (typeof value === 'boolean' || value === null) {
        matchers.push({ kind: 'literal', value });
      } else if (isPlainObject(value)) {
        const matcher = this.parseMatchExpression(value, itemLoc);
        if (matcher === null) ok = false;
        else if (matcher === 'absent') absent = true;
        else matchers.push(matcher);
      } else {
        // Also NaN and Infinity, which a pattern built in code could hold but JSON cannot.
        ok = false;
        this.fail(itemLoc, 'Match value must be String, number, true, false, or null');
      }
    });
    return ok ? { matchers, absent } : null;
  }

  private parseMatchExpression(expression: Record<string, unknown>, loc: string): ValueMatcher | 'absent' | null {
    const keys = Object.keys(expression);
    const type = keys[0];
    if (type === undefined) return this.fail(loc, 'Match expression name not found');
    const operand = expression[type];
    const typeLoc = joinLoc(loc, type);
    const extraLoc = keys[1] === undefined ? null : joinLoc(loc, keys[1]);
    const onlyOneKey = <T>(result: T): T | null =>
      extraLoc === null ? result : this.fail(extraLoc, 'Only one key allowed in match expression');
    switch (type) {
      case 'exactly':
        if (typeof operand !== 'string') return this.fail(typeLoc, 'exact match pattern must be a string');
        return onlyOneKey({ kind: 'exact-string', value: operand });
      case 'prefix':
      case 'suffix': {
        if (isPlainObject(operand)) return this.parseAffixIgnoreCase(type, operand, typeLoc, extraLoc);
        if (typeof operand !== 'string') return this.fail(typeLoc, `${type} match pattern must be a string`);
        return onlyOneKey(type === 'prefix' ? { kind: 'prefix', value: operand } : { kind: 'suffix', value: operand });
      }
      case 'numeric': {
        if (!Array.isArray(operand)) return this.fail(typeLoc, 'Value of numeric must be an array.');
        const matcher = this.parseNumeric(operand, typeLoc);
        if (matcher === null) return null;
        return extraLoc === null ? matcher : this.fail(extraLoc, 'Too many elements in numeric expression');
      }
      case 'anything-but':
        return this.parseAnythingBut(operand, typeLoc, extraLoc);
      case 'exists':
        if (typeof operand !== 'boolean') return this.fail(typeLoc, 'exists match pattern must be either true or false.');
        return onlyOneKey(operand ? { kind: 'exists' } : 'absent');
      case 'cidr': {
        // event-ruler's message for a non-string cidr really does say "prefix".
        if (typeof operand !== 'string') return this.fail(typeLoc, 'prefix match pattern must be a string');
        try {
          const range = parseCidr(operand);
          return onlyOneKey({ kind: 'cidr', low: range.low, high: range.high });
        } catch (error: unknown) {
          return this.fail(typeLoc, error instanceof Error ? error.message : String(error));
        }
      }
      case 'equals-ignore-case':
        if (typeof operand !== 'string') return this.fail(typeLoc, 'equals-ignore-case match pattern must be a string');
        return onlyOneKey({ kind: 'ignore-case', matcher: compileIgnoreCase(operand, 'whole') });
      case 'wildcard': {
        if (typeof operand !== 'string') return this.fail(typeLoc, 'wildcard match pattern must be a string');
        const wildcard = parseWildcard(operand);
        if (typeof wildcard === 'string') return this.fail(typeLoc, wildcard);
        return onlyOneKey({ kind: 'wildcard', wildcard });
      }
      default:
        return this.fail(typeLoc, `Unrecognized match type ${type}`);
    }
  }

  private parseAffixIgnoreCase(
    type: 'prefix' | 'suffix', inner: Record<string, unknown>, loc: string, outerExtraLoc: string | null,
  ): ValueMatcher | null {
    const label = type === 'prefix' ? 'Prefix' : 'Suffix';
    const keys = Object.keys(inner);
    const op = keys[0];
    if (op === undefined) return this.fail(loc, `${label} expression name not found`);
    const opLoc = joinLoc(loc, op);
    if (op !== 'equals-ignore-case') return this.fail(opLoc, `Unsupported ${type} pattern: ${op}`);
    const operand = inner[op];
    if (typeof operand !== 'string') return this.fail(opLoc, 'equals-ignore-case match pattern must be a string');
    const extraLoc = keys[1] === undefined ? outerExtraLoc : joinLoc(loc, keys[1]);
    if (extraLoc !== null) return this.fail(extraLoc, 'Only one key allowed in match expression');
    const anchor: IgnoreCaseAnchor = type === 'prefix' ? 'start' : 'end';
    return { kind: 'ignore-case', matcher: compileIgnoreCase(operand, anchor) };
  }

  private parseNumeric(terms: readonly unknown[], loc: string): ValueMatcher | null {
    const op = terms[0];
    if (typeof op !== 'string') return this.fail(`${loc}[0]`, `Invalid member in numeric match: ${tokenText(op)}`);
    const first = terms[1];
    const firstLoc = `${loc}[1]`;
    switch (op) {
      case '=': {
        if (typeof first !== 'number') return this.fail(firstLoc, 'Value of equals must be numeric');
        if (terms.length > 2) return this.fail(`${loc}[2]`, 'Too many elements in numeric expression');
        if (!this.checkNumber(first, firstLoc)) return null;
        return { kind: 'exact-number', value: first };
      }
      case '>':
      case '>=': {
        if (typeof first !== 'number') return this.fail(firstLoc, `Value of ${op} must be numeric`);
        if (terms.length <= 2) {
          if (!this.checkNumber(first, firstLoc)) return null;
          return numericRange({ low: first, lowOpen: op === '>', high: NUMERIC_LIMIT, highOpen: false });
        }
        return this.parseNumericRange(terms, loc, first, op === '>');
      }
      case '<':
      case '<=': {
        if (typeof first !== 'number') return this.fail(firstLoc, `Value of ${op} must be numeric`);
        if (terms.length > 2) return this.fail(`${loc}[2]`, 'Too many elements in numeric expression');
        if (!this.checkNumber(first, firstLoc)) return null;
        return numericRange({ low: -NUMERIC_LIMIT, lowOpen: false, high: first, highOpen: op === '<' });
      }
      default:
        return this.fail(`${loc}[0]`, `Unrecognized numeric range operator: ${op}`);
    }
  }

  private parseNumericRange(terms: readonly unknown[], loc: string, bottom: number, lowOpen: boolean): ValueMatcher | null {
    const op = terms[2];
    if (typeof op !== 'string') return this.fail(`${loc}[2]`, `Bad value in numeric range: ${tokenText(op)}`);
    if (op !== '<' && op !== '<=') return this.fail(`${loc}[2]`, `Bad numeric range operator: ${op}`);
    const top = terms[3];
    if (typeof top !== 'number') return this.fail(`${loc}[3]`, `Value of ${op} must be numeric`);
    if (terms.length > 4) return this.fail(`${loc}[4]`, 'Too many terms in numeric range expression');
    if (!this.checkNumber(bottom, `${loc}[1]`) || !this.checkNumber(top, `${loc}[3]`)) return null;
    if (!(bottom < top)) return this.fail(loc, 'Bottom must be less than top');
    return numericRange({ low: bottom, lowOpen, high: top, highOpen: op === '<' });
  }

  private checkNumber(value: number, loc: string): boolean {
    const reason = checkComparableNumber(value);
    if (reason !== null) this.fail(loc, reason);
    return reason === null;
  }

  private parseAnythingBut(operand: unknown, loc: string, outerExtraLoc: string | null): ValueMatcher | null {
    let mode: AnythingButMode = 'values';
    let innerExtraLoc: string | null = null;
    if (isPlainObject(operand)) {
      const keys = Object.keys(operand);
      const op = keys[0];
      if (op === undefined) return this.fail(loc, 'Anything-But expression name not found');
      if (op !== 'equals-ignore-case' && op !== 'prefix' && op !== 'suffix' && op !== 'wildcard') {
        return this.fail(joinLoc(loc, op), `Unsupported anything-but pattern: ${op}`);
      }
      mode = op;
      innerExtraLoc = keys[1] === undefined ? null : joinLoc(loc, keys[1]);
      loc = joinLoc(loc, op);
      operand = operand[op];
    }
    if (!Array.isArray(operand) && typeof operand !== 'string' && typeof operand !== 'number') {
      return this.fail(loc, 'Value of anything-but must be an array or single string/number value.');
    }
    const matcher = mode === 'values' ? this.parseAnythingButValues(operand, loc) : this.parseAnythingButSet(mode, operand, loc);
    if (matcher === null) return null;
    const extraLoc = innerExtraLoc ?? outerExtraLoc;
    // event-ruler reports any extra key after anything-but with its numeric-expression message.
    return extraLoc === null ? matcher : this.fail(extraLoc, 'Too many elements in numeric expression');
  }

  private parseAnythingButValues(operand: string | number | readonly unknown[], loc: string): ValueMatcher | null {
    const strings = new Set<string>();
    const numbers = new Set<number>();
    if (!Array.isArray(operand)) {
      if (typeof operand === 'number') {
        if (!this.checkNumber(operand, loc)) return null;
        numbers.add(operand);
      } else {
        strings.add(operand as string);
      }
      return { kind: 'anything-but', strings, numbers };
    }
    for (let i = 0; i < operand.length; i++) {
      const value: unknown = operand[i];
      const itemLoc = `${loc}[${i}]`;
      if (typeof value === 'string') strings.add(value);
      else if (typeof value === 'number') {
        if (!this.checkNumber(value, itemLoc)) return null;
        numbers.add(value);
      } else return this.fail(itemLoc, 'Inside anything but list, start|null|boolean is not supported.');
    }
    if ((strings.size > 0) === (numbers.size > 0)) {
      return this.fail(loc, 'Inside anything but list, either all values are number or string, mixed type is not supported');
    }
    return { kind: 'anything-but', strings, numbers };
  }

  private parseAnythingButSet(mode: Exclude<AnythingButMode, 'values'>, operand: unknown, loc: string): ValueMatcher | null {
    const list: readonly unknown[] = Array.isArray(operand) ? operand : [operand];
    const itemLoc = (i: number): string => (Array.isArray(operand) ? `${loc}[${i}]` : loc);
    const values: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const value = list[i];
      if (typeof value !== 'string') {
        const message =
          mode === 'equals-ignore-case' ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
          : mode === 'wildcard' ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string';
        return this.fail(itemLoc(i), message);
      }
      if ((mode === 'prefix' || mode === 'suffix') && value === '') return this.fail(itemLoc(i), 'Null prefix/suffix not allowed');
      values.push(value);
    }
    switch (mode) {
      case 'prefix':
        return { kind: 'anything-but-prefix', values };
      case 'suffix':
        return { kind: 'anything-but-suffix', values };
      case 'equals-ignore-case':
        return { kind: 'anything-but-ignore-case', matchers: values.map((v) => compileIgnoreCase(v, 'whole')) };
      case 'wildcard': {
        const wildcards: Wildcard[] = [];
        for (let i = 0; i < values.length; i++) {
          const wildcard = parseWildcard(values[i] as string);
          if (typeof wildcard === 'string') return this.fail(itemLoc(i), wildcard);
          wildcards.push(wildcard);
        }
        return { kind: 'anything-but-wildcard', wildcards };
      }
    }
  }
}

function numericRange(range: NumericRange): ValueMatcher {
  return { kind: 'numeric', range };
}

function putField(branches: Branch[], path: string, spec: FieldSpec): Branch[] {
  if (branches.length === 0) branches = [new Map()];
  // A later occurrence of the same path replaces the earlier one, as in event-ruler.
  for (const branch of branches) branch.set(path, spec);
  return branches;
}

function buildParsed(branches: readonly Branch[]): ParsedPattern {
  const paths = new Set<string>();
  const subRules = branches.map((branch): SubRule => {
    const conditions = [...branch].map(([path, spec]): FieldCondition => {
      paths.add(path);
      const key = JSON.stringify([path, spec.absent, spec.matchers.map(describeMatcher).sort()]);
      return { path, matchers: spec.matchers, absent: spec.absent, key };
    });
    conditions.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { conditions };
  });
  return { subRules, paths: [...paths] };
}

function containsOrKey(pattern: unknown): boolean {
  const stack: unknown[] = [pattern];
  for (let node = stack.pop(), seen = 0; node !== undefined && seen < 100_000; node = stack.pop(), seen++) {
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) stack.push(item);
    } else if (isPlainObject(node)) {
      if (Object.prototype.hasOwnProperty.call(node, OR)) return true;
      for (const item of Object.values(node)) stack.push(item);
    }
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How event-ruler's parser prints a token it did not expect. */
function tokenText(value: unknown): string {
  if (value === undefined) return ']';
  if (Array.isArray(value)) return '[';
  if (typeof value === 'object' && value !== null) return '{';
  return String(value);
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Extends a problem path: `data.status`, `data["a.b"]`. */
function joinLoc(loc: string, key: string): string {
  if (PLAIN_KEY.test(key)) return loc === '' ? key : `${loc}.${key}`;
  return `${loc}[${JSON.stringify(key)}]`;
}
