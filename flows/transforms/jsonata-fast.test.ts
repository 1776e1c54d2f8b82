// The proof that the JSONata fast path is the library: a differential test. Hand-written
// expressions covering every construct of the subset, plus seeded random combinations of them,
// are evaluated over seeded random events both by the fast path and by
// `await jsonata(expr).evaluate(event, bindings)`. Where the fast path gives a value it must
// be the library's value (deep, key order and -0 included, `undefined` included); where it
// declines with FallBack 'error' the library must throw. Then the same through the transform:
// fast and library renders give the same output or the same error code and message.

import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import type { FlowbridgeError } from '../error-codes.ts';
import { seededRandom } from '../patterns/seeded-random.ts';
import { FallBack, FAST_JSONATA_FUNCTIONS, planFastJsonata, type FastJsonata, type FastJsonataOptions } from './jsonata-fast.ts';
import { compileJsonataTransform, isFastPath, MAX_SEQUENCE_LENGTH } from './jsonata.transform.ts';
import { DEFAULT_TRANSFORM_LIMITS } from './transform-limits.ts';
import { describeContext, type TransformContext } from './transform-context.ts';
import type { TransformRenderer } from './transform-renderer.ts';

const FAST_OPTIONS: FastJsonataOptions = { maxDepth: DEFAULT_TRANSFORM_LIMITS.maxDepth, maxSequence: MAX_SEQUENCE_LENGTH };
// The transform's library options, without the wall-clock timeout (a loaded machine must not change a verdict).
const LIBRARY_OPTIONS = { stack: DEFAULT_TRANSFORM_LIMITS.maxDepth, sequence: MAX_SEQUENCE_LENGTH };

// ---- seeded randomness ---------------------------------------------------------------------

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function chance(random: Random, p: number): boolean {
  return random() < p;
}

// ---- events ----------------------------------------------------------------------------------

const STRINGS = ['', 'abc', 'Ada Lovelace', '  padded \t text \n', 'ÄÖÜ straße', '😀 emoji', 'e\u0301', '123', '-4.5', '0x1F', '1e3', 'true', 'null', 'a-b-c', 'm', 'undefined'];
const NUMBERS = [0, -0, 1, -1, 2, 3, 2.5, -3.75, 0.1, 0.2, 1e21, 123456789, 1e-7, 37.5, 100];
const FIELDS = ['a', 'b', 'n', 's', 'items', 'tags', 'flag', 'obj', 'list', 'a b'];

function randomScalar(random: Random): unknown {
  const roll = random();
  if (roll < 0.4) return pick(random, STRINGS);
  if (roll < 0.75) return pick(random, NUMBERS);
  if (roll < 0.9) return chance(random, 0.5);
  return null;
}

function randomValue(random: Random, depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.5) return randomScalar(random);
  if (roll < 0.7) return randomObject(random, depth - 1);
  if (roll < 0.85) return Array.from({ length: Math.floor(random() * 4) }, () => randomObject(random, depth - 1));
  if (roll < 0.95) return Array.from({ length: Math.floor(random() * 4) }, () => randomScalar(random));
  return Array.from({ length: Math.floor(random() * 3) }, () => randomValue(random, depth - 1));
}

// A field's usual shape, often enough that paths meet the types their operators want.
function typicalValue(random: Random, field: string, depth: number): unknown {
  if (chance(random, 0.25)) return randomValue(random, depth);
  switch (field) {
    case 'n':
      return pick(random, NUMBERS);
    case 's':
    case 'a b':
      return pick(random, STRINGS);
    case 'flag':
      return chance(random, 0.5);
    case 'items':
      return Array.from({ length: Math.floor(random() * 4) }, () => randomObject(random, depth - 1));
    case 'tags':
      return Array.from({ length: Math.floor(random() * 4) }, () => pick(random, STRINGS));
    case 'list':
      return [[randomScalar(random)], [randomObject(random, depth - 1)], randomScalar(random)];
    default:
      return randomValue(random, depth);
  }
}

function randomObject(random: Random, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (depth < 0) return result;
  for (const field of FIELDS) {
    if (chance(random, 0.55)) result[field] = typicalValue(random, field, depth);
  }
  // JSON may carry names the library gives a meaning: its function markers, and `__proto__` as an own member.
  if (chance(random, 0.03)) result[pick(random, ['_jsonata_function', '_jsonata_lambda'])] = true;
  if (chance(random, 0.03)) Object.assign(result, JSON.parse('{"__proto__": "own"}'));
  return result;
}

function randomEvent(random: Random): unknown {
  const roll = random();
  // Mostly objects, as events are; sometimes a scalar (a text output earlier in a chain) or an array.
  if (roll < 0.04) return { ...randomObject(random, 2), outerWrapper: true, 0: 'zero' };
  if (roll < 0.9) return randomObject(random, 3);
  if (roll < 0.97) return randomScalar(random);
  return [randomObject(random, 2), randomObject(random, 2)];
}

// Inputs at the edges, in every run: nothing, scalars, an array, and objects using the names
// the library reads on its own (function markers, its outer-wrapper flag, an own `__proto__`).
const EDGE_EVENTS: unknown[] = [
  undefined,
  null,
  'Ada Lovelace',
  0,
  {},
  [{ n: 1, s: 'x' }, { n: [2], s: 'y' }],
  { n: 1, s: 'abc', outerWrapper: true, 0: 'zero' },
  { n: 2, s: 'flagged', _jsonata_function: true, obj: { _jsonata_lambda: true, s: 'inner', length: 1 }, items: [{ n: 1, _jsonata_lambda: true }, { n: 2 }] },
  JSON.parse('{"__proto__": {"n": 1}, "a": {"__proto__": "own"}, "constructor": "c", "n": 3, "tags": ["x", "y"], "items": [{"n": 5}]}'),
];

// ---- expressions -----------------------------------------------------------------------------

const PATH_NAMES = ['a', 'b', 'n', 's', 'items', 'tags', 'flag', 'obj', 'list', '`a b`', 'missing', 'constructor', '__proto__', '_jsonata_lambda'];
const OPERATORS = ['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'and', 'or', 'in'];
const KEYS = ['k', 'id', 'name', '1', 'é', 'a b', 'value'];
const ARITIES: Record<string, number[]> = {
  string: [0, 1, 1, 2],
  number: [0, 1],
  lowercase: [0, 1],
  uppercase: [0, 1],
  trim: [0, 1],
  length: [0, 1],
  substring: [2, 3],
  substringBefore: [2],
  substringAfter: [2],
  exists: [1],
  boolean: [0, 1],
  not: [0, 1],
  count: [1],
  sum: [1],
  max: [1],
  min: [1],
  average: [1],
  join: [1, 2],
  floor: [0, 1],
  ceil: [0, 1],
  abs: [0, 1],
};

function randomPath(random: Random): string {
  const prefix = pick(random, ['', '', '', '', '$.', '$$.', '$flowbridge.event.']);
  const steps = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, PATH_NAMES));
  return prefix + steps.join('.');
}

function randomLiteral(random: Random): string {
  const roll = random();
  if (roll < 0.4) return JSON.stringify(pick(random, STRINGS));
  if (roll < 0.8) return pick(random, ['0', '1', '2', '2.5', '0.1', '100', '1e3', '-1', '-2.5']);
  return pick(random, ['true', 'false', 'null']);
}

function randomLeaf(random: Random): string {
  const roll = random();
  if (roll < 0.6) return randomPath(random);
  if (roll < 0.92) return randomLiteral(random);
  return pick(random, ['$', '$$', '$flowbridge.ruleName', '$unbound']);
}

function randomExpression(random: Random, depth: number): string {
  if (depth <= 0) return randomLeaf(random);
  const next = (): string => randomExpression(random, depth - 1);
  const roll = random();
  if (roll < 0.2) return randomLeaf(random);
  if (roll < 0.45) return `(${next()} ${pick(random, OPERATORS)} ${next()})`;
  if (roll < 0.52) return chance(random, 0.7) ? `(${next()} ? ${next()} : ${next()})` : `(${next()} ? ${next()})`;
  if (roll < 0.75) {
    const name = pick(random, FAST_JSONATA_FUNCTIONS);
    const arity = pick(random, ARITIES[name] ?? [1]);
    return `$${name}(${Array.from({ length: arity }, next).join(', ')})`;
  }
  if (roll < 0.85) {
    const keys = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(random, KEYS)))];
    return `{${keys.map((key) => `${JSON.stringify(key)}: ${next()}`).join(', ')}}`;
  }
  if (roll < 0.93) {
    const items = Array.from({ length: Math.floor(random() * 4) }, () => (chance(random, 0.2) ? `[${next()}]` : next()));
    return `[${items.join(', ')}]`;
  }
  if (roll < 0.97) return `-(${next()})`;
  return `(${next()}; ${next()})`;
}

// ---- the hand-written corpus: every construct and its corners ----------------------------------

const CORPUS = [
  // paths: members, nested members, arrays mapped and flattened, singletons unwrapped, missing members
  'a', 'a.b', 'a.b.n', 'items', 'items.n', 'items.s', 'items.items.n', 'items.tags', 'tags', 'list', 'list.n', 'list.items',
  'obj.obj.obj.s', 'missing', 'missing.a', 'n.a', 's.length', '`a b`', 'obj.`a b`', '"a".b', 'items.missing', 'obj.items.tags',
  // variables and the context
  '$', '$$', '$.a', '$$.items.n', '$flowbridge', '$flowbridge.ruleName', '$flowbridge.ruleArn', '$flowbridge.event.items.n', '$unbound', '$unbound.a',
  // literals
  '"text"', '""', '42', '-1.5', '0', 'true', 'false', 'null', '"😀 e\u0301"',
  // string concatenation, including numbers, arrays, objects, booleans, null and nothing
  's & "!"', 'n & ""', 'a & b', 'items & "|"', 'obj & ""', 'flag & null', 'missing & missing', '(0.1 + 0.2) & ""', 'tags & n', '1e21 & ""',
  // arithmetic
  'n + 1', 'n - 2.5', 'n * n', 'n / 4', 'n % 3', '-n', '-(items.n)', 'n + s', 'missing + 1', 'n / 0', '0 / 0', 'items.n * 2', 's * 1', '1e308 * 10',
  // comparisons and equality
  'n > 1', 'n <= 0', 's < "m"', 's >= "a"', 'n = 1', 'n != 1', 's = "abc"', 'n = "1"', 'n < "1"', 'obj < 1', 'items = items', 'obj = obj',
  'missing = missing', 'missing != 1', 'tags = ["abc"]', 'null = null', 'flag = true', 'items.n > 1',
  // boolean logic, with short-circuits around failing right sides
  'flag and n', 'flag or missing', 's and items', 'false and (s + 1)', 'true or (s + 1)', 'missing or flag', 'items and obj',
  // the conditional
  'flag ? "yes" : "no"', 'n ? n', 'items ? $count(items) : 0', 'missing ? 1 : 2', 'tags ? tags : "none"',
  // membership
  's in tags', '"abc" in tags', 'n in items.n', 'missing in tags', 'n in n', '{"a": 1} in {"a": 1}', '[1] in [[1]]', 'obj in [obj]',
  // object and array constructors
  '{}', '{"id": a, "n": n}', '{"b": 1, "1": 2, "a": 3}', '{"x": missing, "y": null}', '{"outer": {"inner": items.n, "s": s}}',
  '{"é": s, "a b": `a b`}', '[]', '[a]', '[items]', '[[items]]', '[a, b, items.n]', '[missing]', '[[], [[]]]', '[tags, [tags], n]',
  // blocks
  '(a)', '(a; b)', '()', '(n + 1) * 2',
  // functions
  '$string(n)', '$string(obj)', '$string(items, true)', '$string(s)', '$string(missing)', '$string()', '$string(0.1 + 0.2)', '$string(1e21)',
  '$number(s)', '$number(n)', '$number(flag)', '$number("0x1F")', '$number("12")', '$number("1e3")', '$number(" 1")', '$number(obj)', '$number()',
  '$lowercase(s)', '$uppercase(s)', '$lowercase(n)', '$uppercase()', '$trim(s)', '$trim("  a \t\n b  ")', '$length(s)', '$length("😀e\u0301")', '$length(tags)',
  '$substring(s, 1)', '$substring(s, 1, 2)', '$substring(s, -3)', '$substring(s, -3, 2)', '$substring(s, 0, 0)', '$substring("😀abc", 1, 2)',
  '$substring(s, missing)', '$substring(n, 1)', '$substring(5, 1)', '$substringBefore(s, " ")', '$substringAfter(s, " ")', '$substringAfter(s, missing)',
  '$exists(a)', '$exists(missing)', '$exists(items.n)', '$boolean(s)', '$boolean(items)', '$boolean(obj)', '$boolean(tags)', '$boolean()', '$boolean(0)',
  '$not(flag)', '$not(missing)', '$not(items.n)', '$count(items)', '$count(tags)', '$count(missing)', '$count(n)', '$count(items.n)',
  '$sum(items.n)', '$sum(n)', '$sum(tags)', '$sum([])', '$max(items.n)', '$min(items.n)', '$average(items.n)', '$max([])',
  '$join(tags)', '$join(tags, ", ")', '$join(s, "-")', '$join(items.s, n)', '$floor(n)', '$ceil(n)', '$abs(n)', '$floor(s)', '$abs()',
  // the benchmark's 8-field mapping, over these events
  '{"personnelNo": a, "name": s & " " & `a b`, "mail": $lowercase(s), "active": flag = true, "team": obj.s, "weeklyHours": n, "roles": tags, "days": items.s}',
];

// ---- comparison ------------------------------------------------------------------------------

// The first difference between two results, or undefined: key order counts (it is the JSON
// body's order) and so does -0; the library's sequence flags on arrays do not (JSON drops them).
function findDifference(actual: unknown, expected: unknown, where = '$'): string | undefined {
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected)) return `${where}: ${show(actual)} vs ${show(expected)}`;
    if (actual.length !== expected.length) return `${where}: length ${actual.length} vs ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const difference = findDifference(actual[i], expected[i], `${where}[${i}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) {
    const actualKeys = Object.keys(actual);
    const expectedKeys = Object.keys(expected);
    if (actualKeys.join('\u0000') !== expectedKeys.join('\u0000')) return `${where}: keys ${JSON.stringify(actualKeys)} vs ${JSON.stringify(expectedKeys)}`;
    for (const key of actualKeys) {
      const difference = findDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${where}: ${show(actual)} vs ${show(expected)}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Object.is(value, -0)) return '-0';
  return JSON.stringify(value) ?? String(value);
}

type LibraryOutcome = { ok: true; value: unknown } | { ok: false; code: string };

async function evaluateWithLibrary(expression: jsonata.Expression, input: unknown, bindings: Record<string, unknown>): Promise<LibraryOutcome> {
  try {
    return { ok: true, value: await expression.evaluate(input, bindings) };
  } catch (err) {
    return { ok: false, code: String((err as { code?: unknown }).code ?? (err as Error).message) };
  }
}

interface Tally {
  comparisons: number;
  identical: number;
  fellBackOnError: number;
  fellBackOther: number;
  mismatches: string[];
}

function bindingsFor(event: unknown): Record<string, unknown> {
  const ctx: TransformContext = { event, ruleName: 'sync-attendance', flowId: 'flow-7', ingestionTime: '2024-05-01T12:30:01.250Z' };
  return { flowbridge: describeContext(ctx) };
}

async function compare(source: string, fast: FastJsonata, library: jsonata.Expression, events: readonly unknown[], tally: Tally): Promise<void> {
  for (const event of events) {
    const bindings = bindingsFor(event);
    const expected = await evaluateWithLibrary(library, event, bindings);
    const actual = fast.evaluate(event, bindings);
    tally.comparisons++;
    const context = `${source}  over  ${show(event)}`;
    if (actual instanceof FallBack) {
      if (actual.reason === 'error') {
        tally.fellBackOnError++;
        if (expected.ok) tally.mismatches.push(`${context}: the fast path expected an error, the library gave ${show(expected.value)}`);
      } else {
        tally.fellBackOther++;
      }
      continue;
    }
    if (!expected.ok) {
      tally.mismatches.push(`${context}: the fast path gave ${show(actual)}, the library threw ${expected.code}`);
      continue;
    }
    const difference = findDifference(actual, expected.value);
    if (difference) tally.mismatches.push(`${context}: ${difference}`);
    else tally.identical++;
  }
}

function newTally(): Tally {
  return { comparisons: 0, identical: 0, fellBackOnError: 0, fellBackOther: 0, mismatches: [] };
}

function planOrFail(source: string): { fast: FastJsonata; library: jsonata.Expression } {
  const library = jsonata(source, LIBRARY_OPTIONS);
  const plan = planFastJsonata(library.ast(), FAST_OPTIONS);
  if (!plan.fast) throw new Error(`${source} is not on the fast path: ${plan.reason}`);
  return { fast: plan.evaluator, library };
}

// A render's output, or its error's code and message: what a delivery would carry or be dead-lettered with.
async function renderOutcome(renderer: TransformRenderer, input: unknown, ctx: TransformContext): Promise<unknown> {
  try {
    return { output: await renderer.render(input, ctx) };
  } catch (err) {
    const failure = err as FlowbridgeError;
    return { code: failure.code, message: failure.message };
  }
}

const EVENT_SEED = 20240501;
const EXPRESSION_SEED = 4711;

describe('the JSONata fast path against the jsonata library', () => {
  const eventRandom = seededRandom(EVENT_SEED);
  const events = [...EDGE_EVENTS, ...Array.from({ length: 16 }, () => randomEvent(eventRandom))];

  it('takes the fast path for every hand-written expression of the subset and matches the library on seeded events', async () => {
    const tally = newTally();
    for (const source of CORPUS) {
      const { fast, library } = planOrFail(source);
      await compare(source, fast, library, events, tally);
    }
    expect(tally.mismatches.slice(0, 10)).toEqual([]);
    expect(tally.comparisons).toBe(CORPUS.length * events.length);
    // Most corpus cases produce values; the rest are the error cases the corpus asks for.
    expect(tally.identical).toBeGreaterThan(tally.comparisons * 0.6);
    expect(tally.fellBackOnError).toBeGreaterThan(50);
    console.info(`jsonata fast path: ${tally.comparisons} hand-written comparisons: ${tally.identical} identical values, ${tally.fellBackOnError} library errors handed back, ${tally.fellBackOther} other hand-backs`);
  });

  it('matches the library on seeded random combinations of the subset', async () => {
    const random = seededRandom(EXPRESSION_SEED);
    const tally = newTally();
    const sources = new Set<string>();
    while (sources.size < 450) sources.add(randomExpression(random, 1 + Math.floor(random() * 4)));
    for (const source of sources) {
      const { fast, library } = planOrFail(source);
      await compare(source, fast, library, events, tally);
    }
    expect(tally.mismatches.slice(0, 10)).toEqual([]);
    expect(tally.comparisons).toBeGreaterThanOrEqual(5000);
    expect(tally.identical).toBeGreaterThan(tally.comparisons * 0.3);
    console.info(
      `jsonata fast path: ${tally.comparisons} generated comparisons (seed ${EXPRESSION_SEED}/${EVENT_SEED}): ${tally.identical} identical values, ` +
        `${tally.fellBackOnError} library errors handed back, ${tally.fellBackOther} other hand-backs`,
    );
  });

  // The smallest depth limit under which an expression is planned for the fast path.
  const fastDepthOf = (source: string): number => {
    const ast = jsonata(source).ast();
    let depth = 1;
    while (!planFastJsonata(ast, { ...FAST_OPTIONS, maxDepth: depth }).fast) depth++;
    return depth;
  };

  it('plans nested expressions at exactly the depth at which the library stops refusing them', async () => {
    // No constructors, conditions or short-circuits: the library's counter follows the nesting.
    const sources = ['a', '"x"', 'n + 1', '-(n * 2)', '$string(n)', '$string($lowercase(s) & "x")', '(a; (b))', '$count(items.n) + $sum(items.n)'];
    for (const source of sources) {
      const depth = fastDepthOf(source);
      const atLimit = await evaluateWithLibrary(jsonata(source, { stack: depth }), events[0], {});
      expect(atLimit.ok || atLimit.code !== 'D1011', `${source} at depth ${depth}`).toBe(true);
      // A stack option of 0 means no limit at all.
      if (depth === 1) continue;
      const belowLimit = await evaluateWithLibrary(jsonata(source, { stack: depth - 1 }), events[0], {});
      expect(belowLimit, `${source} at depth ${depth - 1}`).toEqual({ ok: false, code: 'D1011' });
    }
  });

  it('never plans an expression for a depth limit the library would exceed on the seeded events', async () => {
    // Constructors evaluate their values concurrently and the library counts them together;
    // the plan's bound must hold for every generated expression, whatever the events.
    const random = seededRandom(EXPRESSION_SEED + 1);
    const refused: string[] = [];
    for (let i = 0; i < 200; i++) {
      const source = randomExpression(random, 1 + Math.floor(random() * 4));
      const limited = jsonata(source, { ...LIBRARY_OPTIONS, stack: fastDepthOf(source) });
      for (const event of events) {
        const outcome = await evaluateWithLibrary(limited, event, bindingsFor(event));
        if (!outcome.ok && outcome.code === 'D1011') refused.push(`${source} over ${show(event)}`);
      }
    }
    expect(refused.slice(0, 5)).toEqual([]);
  });

  it('leaves an object so wide that the library counts past the depth limit to the library', async () => {
    const source = `{${Array.from({ length: 1200 }, (_, i) => `"k${i}": a`).join(', ')}}`;
    expect(planFastJsonata(jsonata(source).ast(), FAST_OPTIONS)).toEqual({ fast: false, reason: expect.stringMatching(/depth limit/) });
    expect(await evaluateWithLibrary(jsonata(source, LIBRARY_OPTIONS), { a: 1 }, {})).toEqual({ ok: false, code: 'D1011' });
  });

  it('hands back sequences longer than the limit, which the library refuses', async () => {
    const source = 'items.n';
    const event = { items: Array.from({ length: 30 }, (_, n) => ({ n })) };
    const library = jsonata(source, { sequence: 20 });
    const plan = planFastJsonata(library.ast(), { ...FAST_OPTIONS, maxSequence: 20 });
    expect(plan.fast && plan.evaluator.evaluate(event)).toEqual(new FallBack('sequence'));
    expect(await evaluateWithLibrary(library, event, {})).toEqual({ ok: false, code: 'D2015' });
  });
});

describe('expressions outside the subset', () => {
  const outside: [string, RegExp][] = [
    ['data.shifts[0]', /filter or index/],
    ['data.shifts[hours > 6]', /filter or index/],
    ['data.*', /wildcard/],
    ['**.city', /descendant/],
    ['data.shifts.%.name', /parent/],
    ['$contains(data.name, /countess/i)', /\$contains/],
    ['function($x){$x}', /function definition/],
    ['($x := 1; $x)', /assignment/],
    ['data.name ~> $uppercase', /~>/],
    ['$map(data.roles, function($r){$uppercase($r)})', /\$map/],
    ['$now()', /\$now/],
    ['data.shifts^(hours)', /order-by.* as a path step/],
    ['data.shifts{day: hours}', /grouping/],
    ['data.shifts#$i.day', /positional/],
    ['data.shifts@$s.day', /context variable/],
    ['data.roles[]', /array marker/],
    ['{"a": 1, "a": 2}', /twice/],
    ['{data.employeeId: 1}', /key that is not a string literal/],
    ['{"__proto__": 1}', /__proto__/],
    ['$lowercase(data.name, data.name)', /2 arguments/],
    ['$substring("abc")', /1 argument/],
    ['$round(data.age)', /\$round/],
    ['$shout(data.name)', /not a built-in function/],
    ['[1..3]', /range/],
    ['data.shifts.(day & hours)', /block expression as a path step/],
    ['data.shifts.$string()', /function expression as a path step/],
  ];

  it.each(outside)('leaves %s to the library, saying why', (source, reason) => {
    const plan = planFastJsonata(jsonata(source).ast(), FAST_OPTIONS);
    expect(plan).toEqual({ fast: false, reason: expect.stringMatching(reason) });
  });

  // Each of these renders something (or fails) in the library; $now() is left out, its value changes.
  const rendered = outside.map(([source]) => source).filter((source) => source !== '$now()');

  it.each(rendered)(
    'still renders %s with the library',
    async (source) => {
      const renderer = compileJsonataTransform(source, DEFAULT_TRANSFORM_LIMITS, [])!;
      expect(isFastPath(renderer)).toBe(false);
      const reference = compileJsonataTransform(source, DEFAULT_TRANSFORM_LIMITS, [], { fastPath: false })!;
      const input = { data: { name: 'Ada', age: 36, roles: ['a', 'b'], shifts: [{ day: 'mon', hours: 8 }, { day: 'tue', hours: 6 }] } };
      const ctx: TransformContext = { event: input };
      expect(await renderOutcome(renderer, input, ctx)).toEqual(await renderOutcome(reference, input, ctx));
    },
  );
});

describe('the jsonata transform with the fast path', () => {
  const ctx = (event: unknown): TransformContext => ({ event, ruleName: 'sync-attendance', flowId: 'flow-7' });

  it('takes the fast path for an expression in the subset and not for one outside it', () => {
    expect(isFastPath(compileJsonataTransform('{"id": data.id, "n": $count(data.items)}', DEFAULT_TRANSFORM_LIMITS, [])!)).toBe(true);
    expect(isFastPath(compileJsonataTransform('data.items[0]', DEFAULT_TRANSFORM_LIMITS, [])!)).toBe(false);
    expect(isFastPath(compileJsonataTransform('data.id', DEFAULT_TRANSFORM_LIMITS, [], { fastPath: false })!)).toBe(false);
  });

  it('renders the same outputs and the same errors (code and message) as the library for the corpus', async () => {
    const random = seededRandom(EVENT_SEED + 1);
    const events = Array.from({ length: 6 }, () => randomEvent(random));
    let compared = 0;
    const differences: string[] = [];
    for (const source of CORPUS) {
      const fast = compileJsonataTransform(source, DEFAULT_TRANSFORM_LIMITS, [])!;
      const library = compileJsonataTransform(source, DEFAULT_TRANSFORM_LIMITS, [], { fastPath: false })!;
      expect(isFastPath(fast), source).toBe(true);
      for (const event of events) {
        const [fromFast, fromLibrary] = [await renderOutcome(fast, event, ctx(event)), await renderOutcome(library, event, ctx(event))];
        const difference = findDifference(fromFast, fromLibrary);
        if (difference) differences.push(`${source} over ${show(event)}: ${difference}`);
        compared++;
      }
    }
    expect(differences.slice(0, 10)).toEqual([]);
    expect(compared).toBe(CORPUS.length * events.length);
  });

  it('hands an array input to the library, which wraps it in its own way', async () => {
    const renderer = compileJsonataTransform('{"n": n, "all": $}', DEFAULT_TRANSFORM_LIMITS, [])!;
    const plan = planFastJsonata(jsonata('{"n": n, "all": $}').ast(), FAST_OPTIONS);
    const input = [{ n: 1 }, { n: [2] }];
    expect(plan.fast && plan.evaluator.evaluate(input)).toEqual(new FallBack('input'));
    await expect(renderer.render(input, ctx(input))).resolves.toEqual({ n: [1, 2], all: [{ n: 1 }, { n: [2] }] });
  });

  it('hands a division by zero to the library and delivers what the library delivers', async () => {
    const renderer = compileJsonataTransform('{"ratio": data.a / data.b}', DEFAULT_TRANSFORM_LIMITS, [])!;
    const input = { data: { a: 1, b: 0 } };
    const plan = planFastJsonata(jsonata('{"ratio": data.a / data.b}').ast(), FAST_OPTIONS);
    expect(plan.fast && plan.evaluator.evaluate(input)).toEqual(new FallBack('non-finite'));
    await expect(renderer.render(input, ctx(input))).resolves.toEqual({ ratio: null });
  });

  it('fails a type error with the library code and message', async () => {
    const renderer = compileJsonataTransform('data.name + 1', DEFAULT_TRANSFORM_LIMITS, [])!;
    const input = { data: { name: 'Ada' } };
    await expect(renderer.render(input, ctx(input))).rejects.toMatchObject({
      code: 'ERR_TRANSFORM_RENDER',
      message: expect.stringMatching(/left side of the "\+" operator must evaluate to a number \(JSONata T2001 at position \d+\)/),
    });
  });

  it('hands back a call whose function a binding shadows, and a variable that names a built-in function', () => {
    const call = planFastJsonata(jsonata('$lowercase(s)').ast(), FAST_OPTIONS);
    expect(call.fast && call.evaluator.evaluate({ s: 'A' }, { lowercase: 'shadowed' })).toEqual(new FallBack('binding'));
    expect(call.fast && call.evaluator.evaluate({ s: 'A' }, { flowbridge: {} })).toBe('a');
    const variable = planFastJsonata(jsonata('$string').ast(), FAST_OPTIONS);
    expect(variable.fast && variable.evaluator.evaluate({})).toEqual(new FallBack('binding'));
  });
});
