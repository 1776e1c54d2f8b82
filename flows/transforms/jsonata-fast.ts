// The JSONata fast path. The `jsonata` library evaluates every node through an async,
// generic interpreter (about 40 µs for an 8-field mapping); most mappings use a small part of
// the language. This file reads the library's own AST (`jsonata(expr).ast()`, no second
// parser) and, when every node is in the subset below, builds synchronous closures that give
// exactly the library's result. Anything else is left to the library, at compile time (a
// construct outside the subset) or per event (a FallBack: an error the library will raise, a
// number that is not finite, an array as the input).
//
// The subset: object constructors with literal keys, array constructors, field paths
// (`a.b.c`, also from `$`, `$$` or a bound variable such as `$flowbridge`), string / number /
// boolean / null literals, `&`, `+ - * / %`, `= != < <= > >=`, `and`, `or`, `in`, unary minus,
// `? :`, parentheses, and the functions in FUNCTIONS. Value semantics live in
// jsonata-fast-runtime.ts; flows/transforms/jsonata-fast.test.ts compares both against the
// library on thousands of generated expressions and events.

import {
  continueFromValue,
  fallBack,
  fallBackFor,
  FallBack,
  isDeepEqual,
  isFunctionValue,
  isNumeric,
  normalizeResult,
  substringAround,
  substringOf,
  toBoolean,
  toBooleanOrFalse,
  toCodePoints,
  toJsonataString,
  toNumber,
  trimOf,
  typeSymbol,
  walkPath,
} from './jsonata-fast-runtime.ts';

export { FallBack, type FallBackReason } from './jsonata-fast-runtime.ts';

/** The variables an evaluation sees besides the input, as passed to the library's `evaluate`. */
export type JsonataBindings = Readonly<Record<string, unknown>>;

export interface FastJsonataOptions {
  /** The library's `stack` option: an expression nesting deeper is left to the library, which refuses it. */
  maxDepth: number;
  /** The library's `sequence` option: a longer sequence falls back, and the library refuses it. */
  maxSequence: number;
}

export interface FastJsonata {
  /**
   * The expression's value over `input` — exactly what the library's `evaluate(input, bindings)`
   * resolves to, `undefined` included — or a FallBack when the library must evaluate it.
   * Never throws.
   */
  evaluate(input: unknown, bindings?: JsonataBindings): unknown;
}

/** Whether an expression runs on the fast path, and if not, the first construct that keeps it off. */
export type FastJsonataPlan = { fast: true; evaluator: FastJsonata } | { fast: false; reason: string };

type Evaluator = (input: unknown, bindings: JsonataBindings | undefined) => unknown;
type AstNode = Record<string, unknown>;

interface Compiled {
  run: Evaluator;
  /**
   * An upper bound of the library's depth counter while it evaluates this node. The counter
   * counts the `evaluate` calls in progress: one per level of nesting, but the values of an
   * object or array constructor are evaluated concurrently (Promise.all), so their counts add
   * up — `{"k1": a, …, "k600": a}` exceeds a depth limit of 1000 in the library.
   */
  depth: number;
}

interface CompileState {
  options: FastJsonataOptions;
  /** Functions the expression calls: a binding with one of these names shadows the built-in. */
  functions: Set<string>;
}

class OutsideSubset extends Error {}

function outside(reason: string): never {
  throw new OutsideSubset(reason);
}

// Every name the library resolves to a function when no binding shadows it.
const BUILT_IN_FUNCTIONS = new Set(
  (
    'sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad ' +
    'match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil round abs ' +
    'sqrt power random boolean not map zip filter single reduce sift keys lookup append exists spread merge reverse each ' +
    'error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl decodeUrlComponent ' +
    'decodeUrl eval toMillis fromMillis clone now millis'
  ).split(' '),
);

// What each AST annotation means, for the reason a plan gives.
const ANNOTATIONS: Record<string, string> = {
  predicate: 'a filter or index […]',
  stages: 'a filter or index […]',
  group: 'a grouping {…} after an expression',
  keepArray: 'the [] array marker',
  keepSingletonArray: 'the [] array marker',
  focus: 'a context variable binding (@)',
  index: 'a positional variable (#)',
  tuple: 'a context or positional variable',
  ancestor: 'a parent reference (%)',
  seekingParent: 'a parent reference (%)',
  consarray: 'an array constructor inside a path',
};

const NODE_NAMES: Record<string, string> = {
  wildcard: 'a wildcard (*)',
  descendant: 'a descendant wildcard (**)',
  parent: 'a parent reference (%)',
  regex: 'a regular expression',
  lambda: 'a function definition',
  partial: 'a partial function application',
  apply: 'the ~> operator',
  bind: 'a variable assignment (:=)',
  transform: 'a transform expression (|…|)',
  sort: 'an order-by ^(…)',
};

function checkKeys(node: AstNode, allowed: readonly string[]): void {
  for (const key of Object.keys(node)) {
    if (allowed.includes(key)) continue;
    if (node[key] === undefined) continue;
    outside(ANNOTATIONS[key] ?? `"${key}" on a ${String(node.type)} node`);
  }
}

function asNode(value: unknown): AstNode {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) outside('an unexpected syntax tree');
  return value as AstNode;
}

function asNodes(value: unknown): AstNode[] {
  if (!Array.isArray(value)) outside('an unexpected syntax tree');
  return value.map(asNode);
}

const LEAF_KEYS = ['type', 'value', 'position'] as const;

function compileNode(node: AstNode, state: CompileState): Compiled {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      checkKeys(node, LEAF_KEYS);
      const value = node.value;
      return { run: () => value, depth: 1 };
    }
    case 'variable':
      checkKeys(node, LEAF_KEYS);
      return { run: compileVariable(String(node.value)), depth: 1 };
    case 'path':
      checkKeys(node, ['type', 'steps']);
      return compilePath(asNodes(node.steps), state);
    case 'binary':
      checkKeys(node, ['type', 'value', 'position', 'lhs', 'rhs']);
      return compileBinary(String(node.value), compileNode(asNode(node.lhs), state), compileNode(asNode(node.rhs), state));
    case 'unary':
      return compileUnary(node, state);
    case 'condition':
      checkKeys(node, ['type', 'position', 'condition', 'then', 'else']);
      return compileCondition(node, state);
    case 'block': {
      checkKeys(node, ['type', 'position', 'expressions']);
      const parts = asNodes(node.expressions).map((part) => compileNode(part, state));
      return { run: compileBlock(parts.map((part) => part.run)), depth: 1 + maxDepthOf(parts) };
    }
    case 'function':
      checkKeys(node, ['type', 'name', 'value', 'position', 'arguments', 'procedure']);
      return compileCall(node, state);
    default:
      outside(NODE_NAMES[String(node.type)] ?? `a ${String(node.type)} expression`);
  }
}

// Parts the library evaluates one after the other: the deepest one counts.
function maxDepthOf(parts: readonly Compiled[]): number {
  let depth = 0;
  for (const part of parts) depth = Math.max(depth, part.depth);
  return depth;
}

// Parts the library evaluates concurrently: all of them may be in progress at once.
function sumDepthOf(parts: readonly Compiled[]): number {
  let depth = 0;
  for (const part of parts) depth += part.depth;
  return depth;
}

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

// The library binds each own enumerable key of `bindings` in the evaluation's frame.
function isBound(bindings: JsonataBindings | undefined, name: string): bindings is JsonataBindings {
  return typeof bindings === 'object' && bindings !== null && propertyIsEnumerable.call(bindings, name);
}

function compileVariable(name: string): Evaluator {
  // `$` is the context; at the top level an input object that claims to be the library's
  // outer wrapper is unwrapped, as evaluateVariable does.
  if (name === '') return (input) => (input && (input as { outerWrapper?: unknown }).outerWrapper ? (input as Record<number, unknown>)[0] : input);
  // `$$` is the input as given (the fast path only runs on inputs that are not arrays).
  if (name === '$') return (input) => input;
  const builtIn = BUILT_IN_FUNCTIONS.has(name);
  return (_input, bindings) => {
    if (isBound(bindings, name)) return normalizeResult(bindings[name]);
    if (builtIn) fallBack('binding');
    return undefined;
  };
}

function compilePath(steps: AstNode[], state: CompileState): Compiled {
  const first = steps[0];
  if (!first) outside('an empty path');
  const keys: string[] = [];
  for (const [index, step] of steps.entries()) {
    const isName = step.type === 'name' && typeof step.value === 'string';
    if (!isName && !(index === 0 && step.type === 'variable')) {
      outside(`${NODE_NAMES[String(step.type)] ?? `a ${String(step.type)} expression`} as a path step`);
    }
    checkKeys(step, LEAF_KEYS);
    keys.push(isName ? (step.value as string) : '');
  }
  // evaluatePath → evaluateStep → evaluate(step): one level below the path.
  const depth = 2;
  const { maxSequence } = state.options;
  if (first.type === 'variable') {
    const read = compileVariable(String(first.value));
    return { run: (input, bindings) => continueFromValue(read(input, bindings), keys, 0, maxSequence), depth };
  }
  return { run: (input) => walkPath(input, keys, 0, maxSequence), depth };
}

function compileBinary(op: string, lhs: Compiled, rhs: Compiled): Compiled {
  const depth = 1 + Math.max(lhs.depth, rhs.depth);
  const l = lhs.run;
  const r = rhs.run;
  switch (op) {
    case '+':
      return { run: (input, b) => arithmetic(l(input, b), r(input, b), add), depth };
    case '-':
      return { run: (input, b) => arithmetic(l(input, b), r(input, b), subtract), depth };
    case '*':
      return { run: (input, b) => arithmetic(l(input, b), r(input, b), multiply), depth };
    case '/':
      return { run: (input, b) => arithmetic(l(input, b), r(input, b), divide), depth };
    case '%':
      return { run: (input, b) => arithmetic(l(input, b), r(input, b), remainder), depth };
    case '=':
      return { run: (input, b) => equals(l(input, b), r(input, b), false), depth };
    case '!=':
      return { run: (input, b) => equals(l(input, b), r(input, b), true), depth };
    case '<':
      return { run: (input, b) => compare(l(input, b), r(input, b), lessThan), depth };
    case '<=':
      return { run: (input, b) => compare(l(input, b), r(input, b), lessOrEqual), depth };
    case '>':
      return { run: (input, b) => compare(l(input, b), r(input, b), greaterThan), depth };
    case '>=':
      return { run: (input, b) => compare(l(input, b), r(input, b), greaterOrEqual), depth };
    case '&':
      return { run: (input, b) => concatenate(l(input, b), r(input, b)), depth };
    case 'and':
      // Short-circuits like the library: the right side is not evaluated when the left decides.
      return { run: (input, b) => toBooleanOrFalse(l(input, b)) && toBooleanOrFalse(r(input, b)), depth };
    case 'or':
      return { run: (input, b) => toBooleanOrFalse(l(input, b)) || toBooleanOrFalse(r(input, b)), depth };
    case 'in':
      return { run: (input, b) => includes(l(input, b), r(input, b)), depth };
    default:
      outside(op === '..' ? 'a range (..)' : `the ${op} operator`);
  }
}

const add = (a: number, b: number): number => a + b;
const subtract = (a: number, b: number): number => a - b;
const multiply = (a: number, b: number): number => a * b;
const divide = (a: number, b: number): number => a / b;
const remainder = (a: number, b: number): number => a % b;
const lessThan = (a: string | number, b: string | number): boolean => a < b;
const lessOrEqual = (a: string | number, b: string | number): boolean => a <= b;
const greaterThan = (a: string | number, b: string | number): boolean => a > b;
const greaterOrEqual = (a: string | number, b: string | number): boolean => a >= b;

// evaluateNumericExpression: a defined operand must be a number (T2001/T2002), nothing
// combined with anything is nothing. A result that is not finite is the library's to handle.
function arithmetic(lhs: unknown, rhs: unknown, apply: (a: number, b: number) => number): unknown {
  if (lhs !== undefined && !isNumeric(lhs)) fallBack('error');
  if (rhs !== undefined && !isNumeric(rhs)) fallBack('error');
  if (lhs === undefined || rhs === undefined) return undefined;
  const result = apply(lhs, rhs);
  if (!Number.isFinite(result)) fallBack('non-finite');
  return result;
}

// evaluateEqualityExpression: false (for both = and !=) when either side is nothing.
function equals(lhs: unknown, rhs: unknown, negate: boolean): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  return isDeepEqual(lhs, rhs) !== negate;
}

// evaluateComparisonExpression: strings with strings, numbers with numbers (T2009, T2010).
function compare(lhs: unknown, rhs: unknown, apply: (a: string | number, b: string | number) => boolean): boolean | undefined {
  const ltype = typeof lhs;
  const rtype = typeof rhs;
  const lcomparable = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
  const rcomparable = rtype === 'undefined' || rtype === 'string' || rtype === 'number';
  if (!lcomparable || !rcomparable) fallBack('error');
  if (lhs === undefined || rhs === undefined) return undefined;
  if (ltype !== rtype) fallBack('error');
  return apply(lhs as string | number, rhs as string | number);
}

// evaluateStringConcat: each side through $string, nothing as "".
function concatenate(lhs: unknown, rhs: unknown): string {
  const left = lhs === undefined ? '' : (toJsonataString(lhs) as string);
  const right = rhs === undefined ? '' : (toJsonataString(rhs) as string);
  return left.concat(right);
}

// evaluateIncludesExpression: strict membership of the left value in the right (a value or an array).
function includes(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  if (!Array.isArray(rhs)) return rhs === lhs;
  for (let i = 0; i < rhs.length; i++) {
    if (rhs[i] === lhs) return true;
  }
  return false;
}

function compileUnary(node: AstNode, state: CompileState): Compiled {
  switch (node.value) {
    case '-': {
      checkKeys(node, ['type', 'value', 'position', 'expression']);
      const operand = compileNode(asNode(node.expression), state);
      const run = operand.run;
      return {
        run: (input, b) => {
          const value = run(input, b);
          if (value === undefined) return undefined;
          // D1002 for a value that is not a number.
          if (!isNumeric(value)) fallBack('error');
          return -value;
        },
        depth: 1 + operand.depth,
      };
    }
    case '{':
      checkKeys(node, ['type', 'value', 'position', 'lhs']);
      return compileObject(node.lhs, state);
    case '[':
      checkKeys(node, ['type', 'value', 'position', 'expressions']);
      return compileArray(asNodes(node.expressions), state);
    default:
      outside(`the unary ${String(node.value)} operator`);
  }
}

const RESERVED_KEYS = new Set(['_jsonata_lambda', '_jsonata_function']);

function compileObject(pairs: unknown, state: CompileState): Compiled {
  if (!Array.isArray(pairs)) outside('an unexpected syntax tree');
  const keys: string[] = [];
  const values: Compiled[] = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) outside('an unexpected syntax tree');
    const keyNode = asNode(pair[0]);
    if (keyNode.type !== 'string' || typeof keyNode.value !== 'string') outside('an object key that is not a string literal');
    checkKeys(keyNode, LEAF_KEYS);
    const key = keyNode.value;
    // The library raises D1009 for a key given twice and D1013 for its reserved names on every
    // event; `__proto__` cannot be an own key of a plain object built by assignment.
    if (keys.includes(key)) outside(`the object key ${JSON.stringify(key)} twice`);
    if (RESERVED_KEYS.has(key) || key === '__proto__') outside(`the object key ${JSON.stringify(key)}`);
    keys.push(key);
    values.push(compileNode(asNode(pair[1]), state));
  }
  const runs = values.map((value) => value.run);
  const count = keys.length;
  return {
    run: (input, b) => {
      // The library builds its object from a null prototype; the transform hands out a JSON copy,
      // where the two are the same, and `__proto__` is excluded above.
      const result: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const value = runs[i]!(input, b);
        if (value !== undefined) result[keys[i]!] = value;
      }
      return result;
    },
    // evaluateGroupExpression evaluates the keys (literals) one by one, then all values concurrently.
    depth: 1 + (count > 0 ? Math.max(1, sumDepthOf(values)) : 0),
  };
}

function compileArray(items: AstNode[], state: CompileState): Compiled {
  const parts = items.map((item) => compileNode(item, state));
  const runs = parts.map((part) => part.run);
  // The library keeps the value of a nested array constructor as one item and appends
  // (flattens one level) every other value; it tells them apart by the node's `value`.
  const nested = items.map((item) => item.value === '[');
  const { maxSequence } = state.options;
  return {
    run: (input, b) => {
      let result: unknown[] = [];
      for (let i = 0; i < runs.length; i++) {
        const value = runs[i]!(input, b);
        if (value === undefined) continue;
        if (nested[i]) {
          result.push(value);
        } else {
          const appended = Array.isArray(value) ? value : [value];
          // fn.append refuses (D2015) a result longer than the sequence limit.
          if (result.length + appended.length > maxSequence) fallBack('sequence');
          result = result.concat(appended);
        }
      }
      return result;
    },
    // The items are evaluated concurrently.
    depth: 1 + sumDepthOf(parts),
  };
}

function compileCondition(node: AstNode, state: CompileState): Compiled {
  const condition = compileNode(asNode(node.condition), state);
  const then = compileNode(asNode(node.then), state);
  const otherwise = node.else === undefined ? undefined : compileNode(asNode(node.else), state);
  const test = condition.run;
  const yes = then.run;
  const no = otherwise?.run;
  return {
    run: (input, b) => (toBoolean(test(input, b)) ? yes(input, b) : no ? no(input, b) : undefined),
    depth: 1 + maxDepthOf(otherwise ? [condition, then, otherwise] : [condition, then]),
  };
}

function compileBlock(runs: Evaluator[]): Evaluator {
  if (runs.length === 1) return runs[0]!;
  return (input, b) => {
    let result: unknown;
    for (const run of runs) result = run(input, b);
    return result;
  };
}

// ---- functions ------------------------------------------------------------------------
// Each entry turns compiled arguments into an evaluator, or returns undefined for an argument
// count it does not take (the library then raises T0410, or reads the context in a way we leave
// to it). Argument checks follow the signatures in the library's function table; a failing one
// is an error there (T0410, T0411, T0412), so a FallBack 'error' here.

type CallCompiler = (args: Evaluator[]) => Evaluator | undefined;

// A value that must be a string (or nothing) per the signature letter `s`.
function stringArgument(value: unknown): string | undefined {
  if (value !== undefined && typeSymbol(value) !== 's') fallBack('error');
  return value as string | undefined;
}

function numberArgument(value: unknown): number | undefined {
  if (value !== undefined && typeSymbol(value) !== 'n') fallBack('error');
  return value as number | undefined;
}

// The signature `a<n>` / `a<s>`: an array whose items all have the type, or one such value.
function arrayArgument(value: unknown, itemType: 'n' | 's'): unknown[] | undefined {
  if (value === undefined) return undefined;
  const symbol = typeSymbol(value);
  if (symbol !== 'a') {
    if (symbol !== itemType) fallBack('error');
    return [value];
  }
  const array = value as unknown[];
  if (array.length > 0) {
    const first = typeSymbol(array[0]);
    if (first !== itemType || array.some((item) => typeSymbol(item) !== first)) fallBack('error');
  }
  return array;
}

function finite(value: number | undefined): number | undefined {
  if (value !== undefined && !Number.isFinite(value)) fallBack('non-finite');
  return value;
}

// A function of one argument that, given none, applies to the context (signature `-`); the
// context must then pass the same check as an argument would (else T0411).
function unary(apply: (value: unknown) => unknown): CallCompiler {
  return (args) => {
    if (args.length === 0) return (input) => apply(input);
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    return (input, b) => apply(arg(input, b));
  };
}

function ofString(apply: (text: string) => unknown): (value: unknown) => unknown {
  return (value) => {
    const text = stringArgument(value);
    return text === undefined ? undefined : apply(text);
  };
}

function ofNumber(apply: (n: number) => number): (value: unknown) => unknown {
  return (value) => {
    const n = numberArgument(value);
    return n === undefined ? undefined : apply(n);
  };
}

function ofNumbers(apply: (numbers: unknown[]) => number | undefined): CallCompiler {
  return (args) => {
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    return (input, b) => finite(apply(arrayArgument(arg(input, b), 'n') ?? []));
  };
}

function sumOf(numbers: unknown[]): number {
  let total = 0;
  // forEach, like fn.sum: holes are skipped.
  numbers.forEach((n) => {
    total += n as number;
  });
  return total;
}

const FUNCTIONS: Record<string, CallCompiler> = {
  string: (args) => {
    if (args.length > 2) return undefined;
    const [arg, pretty] = args;
    if (!arg) return (input) => toJsonataString(input);
    if (!pretty) return (input, b) => toJsonataString(arg(input, b));
    return (input, b) => {
      const value = arg(input, b);
      const prettify = pretty(input, b);
      if (prettify !== undefined && typeSymbol(prettify) !== 'b') fallBack('error');
      return toJsonataString(value, prettify === true);
    };
  },
  number: unary((value) => {
    const symbol = typeSymbol(value);
    if (symbol !== 'n' && symbol !== 's' && symbol !== 'b' && symbol !== 'm') fallBack('error');
    return toNumber(value);
  }),
  lowercase: unary(ofString((text) => text.toLowerCase())),
  uppercase: unary(ofString((text) => text.toUpperCase())),
  trim: unary(ofString((text) => trimOf(text))),
  length: unary(ofString((text) => toCodePoints(text).length)),
  substring: (args) => {
    if (args.length !== 2 && args.length !== 3) return undefined;
    const [text, start, length] = args as [Evaluator, Evaluator, Evaluator | undefined];
    return (input, b) => {
      const s = text(input, b);
      const from = start(input, b);
      const count = length ? length(input, b) : undefined;
      const sSymbol = typeSymbol(s);
      const fromSymbol = typeSymbol(from);
      // `$substring(5, 1)` matches the signature with the context as the string: not ours.
      if (!length && sSymbol === 'n' && (fromSymbol === 'n' || fromSymbol === 'm')) fallBack('signature');
      if ((sSymbol !== 's' && sSymbol !== 'm') || (fromSymbol !== 'n' && fromSymbol !== 'm')) fallBack('error');
      numberArgument(count);
      return substringOf(s as string | undefined, from as number | undefined, count as number | undefined);
    };
  },
  substringBefore: (args) => around(args, false),
  substringAfter: (args) => around(args, true),
  exists: (args) => {
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    return (input, b) => arg(input, b) !== undefined;
  },
  boolean: unary((value) => toBoolean(value)),
  not: unary((value) => (value === undefined ? undefined : !toBoolean(value))),
  count: (args) => {
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    return (input, b) => {
      const value = arg(input, b);
      if (value === undefined) return 0;
      return Array.isArray(value) ? value.length : 1;
    };
  },
  sum: (args) => {
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    return (input, b) => {
      const numbers = arrayArgument(arg(input, b), 'n');
      return numbers === undefined ? undefined : finite(sumOf(numbers));
    };
  },
  max: ofNumbers((numbers) => (numbers.length === 0 ? undefined : Math.max(...(numbers as number[])))),
  min: ofNumbers((numbers) => (numbers.length === 0 ? undefined : Math.min(...(numbers as number[])))),
  average: ofNumbers((numbers) => (numbers.length === 0 ? undefined : sumOf(numbers) / numbers.length)),
  join: (args) => {
    if (args.length !== 1 && args.length !== 2) return undefined;
    const [strings, separator] = args as [Evaluator, Evaluator | undefined];
    return (input, b) => {
      const list = strings(input, b);
      const sep = stringArgument(separator ? separator(input, b) : undefined);
      const items = arrayArgument(list, 's');
      return items === undefined ? undefined : items.join(sep ?? '');
    };
  },
  floor: unary(ofNumber(Math.floor)),
  ceil: unary(ofNumber(Math.ceil)),
  abs: unary(ofNumber(Math.abs)),
};

// $substringBefore / $substringAfter with both arguments; with one, the library reads the context.
function around(args: Evaluator[], after: boolean): Evaluator | undefined {
  if (args.length !== 2) return undefined;
  const [text, separator] = args as [Evaluator, Evaluator];
  return (input, b) => {
    const s = text(input, b);
    const chars = separator(input, b);
    return substringAround(stringArgument(s), stringArgument(chars), after);
  };
}

// evaluateFunction wraps an argument that looks like a function (an input object carrying the
// library's `_jsonata_function` / `_jsonata_lambda` markers) in a closure, and reading that
// object's arity can fail: such calls are the library's.
function screenArgument(arg: Evaluator): Evaluator {
  return (input, b) => {
    const value = arg(input, b);
    if (typeof value === 'object' && value !== null && isFunctionValue(value)) fallBack('signature');
    return value;
  };
}

/** The names of the functions the fast path runs (without the `$`). */
export const FAST_JSONATA_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

function compileCall(node: AstNode, state: CompileState): Compiled {
  const procedure = asNode(node.procedure);
  if (procedure.type !== 'variable' || typeof procedure.value !== 'string') outside('a call of a computed function');
  checkKeys(procedure, LEAF_KEYS);
  const name = procedure.value;
  const compiler = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!compiler) outside(BUILT_IN_FUNCTIONS.has(name) ? `the function $${name}` : `a call of $${name}, which is not a built-in function`);
  const args = asNodes(node.arguments).map((arg) => compileNode(arg, state));
  const run = compiler(args.map((arg) => screenArgument(arg.run)));
  if (!run) outside(`$${name} with ${args.length} argument${args.length === 1 ? '' : 's'}`);
  state.functions.add(name);
  // evaluateFunction evaluates the procedure (a variable) and each argument one level down.
  return { run, depth: 1 + Math.max(1, maxDepthOf(args)) };
}

// ---- entry points -----------------------------------------------------------------------

function createFastJsonata(root: Evaluator, functions: readonly string[]): FastJsonata {
  return {
    evaluate(input, bindings) {
      // The library wraps an array input, and paths over it see other sequences than ours.
      if (Array.isArray(input)) return fallBackFor('input');
      for (const name of functions) {
        if (isBound(bindings, name)) return fallBackFor('binding');
      }
      try {
        return root(input, bindings);
      } catch (err) {
        return err instanceof FallBack ? err : fallBackFor('unexpected');
      }
    },
  };
}

/**
 * Decides from the library's AST whether an expression runs on the fast path; when it does, the
 * plan carries the evaluator, otherwise the first construct (in words) that keeps it off.
 */
export function planFastJsonata(ast: unknown, options: FastJsonataOptions): FastJsonataPlan {
  const state: CompileState = { options, functions: new Set() };
  try {
    const root = compileNode(asNode(ast), state);
    if (root.depth > options.maxDepth) outside(`nesting deeper than the depth limit (${options.maxDepth})`);
    return { fast: true, evaluator: createFastJsonata(root.run, [...state.functions]) };
  } catch (err) {
    if (err instanceof OutsideSubset) return { fast: false, reason: err.message };
    // A tree deep enough to exhaust the stack here is one the library must judge.
    return { fast: false, reason: 'an expression the fast path could not compile' };
  }
}
