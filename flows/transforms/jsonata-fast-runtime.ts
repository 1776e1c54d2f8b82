// The value semantics of the `jsonata` library (2.x), restated as synchronous functions for
// the fast path (jsonata-fast.ts). Each function mirrors one in node_modules/jsonata/jsonata.js
// line for line where results depend on it (sequence flags, `hasOwnProperty`, the
// `_jsonata_function` markers, `JSON.stringify` with the library's replacer), because the
// fast path promises the library's exact output, not merely a sensible one.
//
// Where the library would raise an error, or where a value leaves the ground we mirror
// (a number that is not finite), these functions do not imitate the error: they throw a
// FallBack, and the caller evaluates the expression with the library instead, which then
// produces the real error (or value) itself.

/** Why a fast evaluation handed the expression back to the library. */
export type FallBackReason =
  /** The library raises an error here (type mismatch, non-numeric operand, bad argument). */
  | 'error'
  /** A number that is not finite (NaN, ±Infinity) came up: the library decides what follows. */
  | 'non-finite'
  /** The input is an array: the library wraps it, and paths then see different sequences. */
  | 'input'
  /** A sequence grew past the configured maximum length. */
  | 'sequence'
  /** A variable names a built-in function, or a binding shadows a function the expression calls. */
  | 'binding'
  /** A signature case the fast path does not reproduce (e.g. `$substring(5, 1)`, which reads the context). */
  | 'signature'
  /** Anything else that was thrown; never expected, always safe. */
  | 'unexpected';

/** A marker, thrown inside the fast path and returned by it: "evaluate this one with the library". */
export class FallBack {
  constructor(readonly reason: FallBackReason) {}
}

// One instance per reason: throwing a preallocated non-Error costs no stack trace.
const FALL_BACKS: Record<FallBackReason, FallBack> = {
  error: new FallBack('error'),
  'non-finite': new FallBack('non-finite'),
  input: new FallBack('input'),
  sequence: new FallBack('sequence'),
  binding: new FallBack('binding'),
  signature: new FallBack('signature'),
  unexpected: new FallBack('unexpected'),
};

/** The shared FallBack for `reason`. */
export function fallBackFor(reason: FallBackReason): FallBack {
  return FALL_BACKS[reason];
}

/** Throws the FallBack for `reason`; typed `never` so callers read as plain control flow. */
export function fallBack(reason: FallBackReason): never {
  throw FALL_BACKS[reason];
}

/** A JSONata sequence: an array flagged `sequence`, exactly as the library flags its own. */
export type Sequence = unknown[] & { sequence: true };

interface ArrayFlags {
  sequence?: unknown;
  keepSingleton?: unknown;
  tupleStream?: unknown;
  cons?: unknown;
  outerWrapper?: unknown;
}

/** A new, empty sequence. */
export function createSequence(): Sequence {
  const sequence = [] as unknown[] as Sequence;
  sequence.sequence = true;
  return sequence;
}

/** utils.isSequence. */
export function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as ArrayFlags).sequence === true;
}

/** Throws a 'sequence' FallBack when a sequence is longer than the library would allow. */
export function checkSequenceLength(sequence: unknown[], maxSequence: number): void {
  if (sequence.length > maxSequence) fallBack('sequence');
}

/**
 * What `evaluate` does to every result on its way out: an empty sequence is nothing, a
 * singleton sequence is its value. Arrays from the input are not sequences and stay as they are.
 */
export function normalizeResult(value: unknown): unknown {
  if (value && Array.isArray(value)) {
    const flags = value as ArrayFlags;
    if (flags.sequence === true && !flags.tupleStream) {
      if (value.length === 0) return undefined;
      if (value.length === 1) return flags.keepSingleton ? value : value[0];
    }
  }
  return value;
}

/** utils.isFunction: a JavaScript function, or an object carrying the library's function markers. */
export function isFunctionValue(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const marked = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return marked._jsonata_function === true || marked._jsonata_lambda === true;
}

/** utils.isNumeric, with its D1001 for ±Infinity turned into a FallBack. */
export function isNumeric(value: unknown): value is number {
  if (typeof value !== 'number') return false;
  if (Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) fallBack('error');
  return true;
}

/** The signature checker's one-letter type of a value (`getSymbol` in the library). */
export function typeSymbol(value: unknown): string {
  if (isFunctionValue(value)) return 'f';
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object':
      if (value === null) return 'l';
      return Array.isArray(value) ? 'a' : 'o';
    default:
      return 'm';
  }
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** fn.lookup: a member of an object, or of every object in an array (flattening one level). */
export function lookupMember(input: unknown, key: string, maxSequence: number): unknown {
  if (Array.isArray(input)) {
    const result = createSequence();
    for (let i = 0; i < input.length; i++) {
      const found = lookupMember(input[i], key, maxSequence);
      if (found !== undefined) {
        // forEach, like the library: it skips the holes of a sparse array.
        if (Array.isArray(found)) found.forEach((value: unknown) => result.push(value));
        else result.push(found);
      }
    }
    checkSequenceLength(result, maxSequence);
    return result;
  }
  if (input !== null && typeof input === 'object' && hasOwnProperty.call(input, key) && !isFunctionValue(input)) {
    return (input as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * One path step's result list → the sequence the next step reads (evaluateStep's tail): the last
 * step keeps a single array from the input as it is; otherwise arrays are flattened one level.
 */
export function shapeStepResult(result: unknown[], lastStep: boolean, maxSequence: number): unknown[] {
  if (lastStep && result.length === 1) {
    const only = result[0];
    if (Array.isArray(only) && !isSequence(only)) return only;
  }
  const sequence = createSequence();
  for (let i = 0; i < result.length; i++) {
    const item = result[i];
    if (!Array.isArray(item) || (item as ArrayFlags).cons) sequence.push(item);
    else item.forEach((value: unknown) => sequence.push(value));
  }
  checkSequenceLength(sequence, maxSequence);
  return sequence;
}

/**
 * Runs name steps `keys[from…]` over `current` (the sequence produced by the step before),
 * as evaluatePath does, and returns the path's value after `evaluate`'s normalisation.
 */
export function continuePath(current: unknown[], keys: readonly string[], from: number, maxSequence: number): unknown {
  let sequence = current;
  const last = keys.length - 1;
  for (let step = from; step <= last && sequence.length > 0; step++) {
    const key = keys[step]!;
    const result = createSequence();
    for (let i = 0; i < sequence.length; i++) {
      const found = normalizeResult(lookupMember(sequence[i], key, maxSequence));
      if (found !== undefined) result.push(found);
    }
    checkSequenceLength(result, maxSequence);
    sequence = shapeStepResult(result, step === last, maxSequence);
  }
  return normalizeResult(sequence);
}

/**
 * A name path from a single, non-array item entering step `from`. While every value met is a
 * plain object or scalar no sequence exists, so this walks members directly; at the first
 * array it hands over to continuePath with exactly the state evaluatePath would have.
 */
export function walkPath(item: unknown, keys: readonly string[], from: number, maxSequence: number): unknown {
  let current = item;
  const last = keys.length - 1;
  for (let step = from; step <= last; step++) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = keys[step]!;
    if (!hasOwnProperty.call(current, key) || isFunctionValue(current)) return undefined;
    const value = (current as Record<string, unknown>)[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return continueFromValue(value, keys, step, maxSequence);
    current = value;
  }
  return current;
}

/** The rest of a path after step `step` produced `value` (an array, or a variable's value) for its one input item. */
export function continueFromValue(value: unknown, keys: readonly string[], step: number, maxSequence: number): unknown {
  const found = normalizeResult(value);
  if (found === undefined) return undefined;
  if (!Array.isArray(found)) return step === keys.length - 1 ? found : walkPath(found, keys, step + 1, maxSequence);
  return continuePath(shapeStepResult([found], step === keys.length - 1, maxSequence), keys, step + 1, maxSequence);
}

/** fn.boolean: JSONata's effective boolean value; undefined for undefined. */
export function toBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return toBoolean(value[0]);
    if (value.length > 1) return value.filter((item) => toBoolean(item)).length > 0;
    return false;
  }
  if (typeof value === 'string') return value.length > 0;
  if (isNumeric(value)) return value !== 0;
  if (value !== null && typeof value === 'object' && !isFunctionValue(value)) return Object.keys(value).length > 0;
  return value === true;
}

/** `boolize` of evaluateBooleanExpression: the effective boolean value, false for nothing. */
export function toBooleanOrFalse(value: unknown): boolean {
  return toBoolean(value) ?? false;
}

// fn.string's replacer: non-integers are printed with 15 significant digits, functions as "".
function stringReplacer(_key: string, value: unknown): unknown {
  if (value !== undefined && value !== null && isNumeric(value)) {
    return !Number.isInteger(value) ? Number(value.toPrecision(15)) : value;
  }
  return value && isFunctionValue(value) ? '' : value;
}

/** fn.string: a string unchanged, anything else as (compact or indented) JSON; undefined for undefined. */
export function toJsonataString(value: unknown, prettify = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isFunctionValue(value)) return '';
  // D3001: the library refuses to print NaN and ±Infinity.
  if (typeof value === 'number' && !Number.isFinite(value)) fallBack('error');
  const printed = Array.isArray(value) && (value as ArrayFlags).outerWrapper ? value[0] : value;
  return JSON.stringify(printed, stringReplacer, prettify ? 2 : 0) as string | undefined;
}

/** utils.isDeepEqual, as the `=` and `!=` operators use it. */
export function isDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) {
        if (!isDeepEqual(lhs[i], rhs[i])) return false;
      }
      return true;
    }
    const lkeys = Object.getOwnPropertyNames(lhs).sort();
    const rkeys = Object.getOwnPropertyNames(rhs).sort();
    if (lkeys.length !== rkeys.length) return false;
    for (let i = 0; i < lkeys.length; i++) {
      if (lkeys[i] !== rkeys[i]) return false;
    }
    for (const key of lkeys) {
      if (!isDeepEqual((lhs as Record<string, unknown>)[key], (rhs as Record<string, unknown>)[key])) return false;
    }
    return true;
  }
  return false;
}

/** utils.stringToArray: the code points of a string. */
export function toCodePoints(text: string): string[] {
  const points: string[] = [];
  for (const point of text) points.push(point);
  return points;
}

/** fn.substring, verbatim: positions count code points; a negative start counts from the end. */
export function substringOf(text: string | undefined, start: number | undefined, length: number | undefined): string | undefined {
  if (text === undefined) return undefined;
  const points = toCodePoints(text);
  const count = points.length;
  // The library does this arithmetic on whatever it was given, undefined included (NaN).
  let from = start as number;
  if (count + from < 0) from = 0;
  if (length !== undefined) {
    if (length <= 0) return '';
    const end = from >= 0 ? from + length : count + from + length;
    return points.slice(from, end).join('');
  }
  return points.slice(from).join('');
}

/** fn.trim: runs of blanks become one space, and a leading and a trailing space go. */
export function trimOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let result = text.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
// The library's own pattern, mis-grouped as it is (it matches "0x1g"): it decides which strings reach Number().
const PREFIXED_INTEGER = /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/;

/** fn.number: numbers, decimal strings, 0x/0o/0b strings and booleans; anything else fails (D3030). */
export function toNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  let result: number;
  if (typeof value === 'number') {
    result = value;
  } else if (typeof value === 'string' && DECIMAL.test(value) && !isNaN(parseFloat(value)) && isFinite(Number(value))) {
    result = parseFloat(value);
  } else if (typeof value === 'string' && PREFIXED_INTEGER.test(value)) {
    result = Number(value);
  } else if (typeof value === 'boolean') {
    result = value ? 1 : 0;
  } else {
    fallBack('error');
  }
  // Number('0x1g') is NaN and a long hex string overflows: the library returns those as they are.
  if (!Number.isFinite(result)) fallBack('non-finite');
  return result;
}

/**
 * fn.substringBefore / fn.substringAfter, verbatim: a missing separator is searched for as the
 * text "undefined"; when substringAfter finds it, the library fails reading its length.
 */
export function substringAround(text: string | undefined, separator: string | undefined, after: boolean): string | undefined {
  if (text === undefined) return undefined;
  const position = text.indexOf(String(separator));
  if (position === -1) return text;
  if (!after) return text.substring(0, position);
  if (separator === undefined) fallBack('error');
  return text.substring(position + separator.length);
}
