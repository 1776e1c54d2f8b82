// `jsonata`: a JSONata expression over the input, parsed once, evaluated per event under
// the time and depth limits. JSONata 2 checks both through its `timeout` and `stack`
// options on every evaluation step (the same "timebox" its own test-suite builds from the
// evaluate entry/exit hooks); the state lives in each evaluation's own frame, so concurrent
// renders of one compiled expression do not share a clock or a depth counter.
//
// Expressions in the common subset of jsonata-fast.ts skip the library's interpreter: they
// run as synchronous closures with the library's exact results, and hand anything doubtful
// (an error the library raises, a number that is not finite) back to the library, so the
// rendered output and every error stay those of the library.

import jsonata from 'jsonata';
import type { Problem } from '../error-codes.ts';
import { FallBack, planFastJsonata, type FastJsonata } from './jsonata-fast.ts';
import { findRegexHazard } from './regex-safety.ts';
import { describeContext } from './transform-context.ts';
import { checkSourceSize, createProblem, createRenderError, createTimeoutError } from './transform-errors.ts';
import type { TransformLimits } from './transform-limits.ts';
import { toJsonOutput } from './transform-output.ts';
import type { TransformRenderer } from './transform-renderer.ts';

// Longest sequence an evaluation may build (ranges, appends). Events are bounded in size,
// so a legitimate expression stays far below; `[1..1e7]` would not.
export const MAX_SEQUENCE_LENGTH = 1_000_000;

/** How a JSONata transform is compiled; the default uses the fast path where it applies. */
export interface JsonataCompileOptions {
  /** false: always evaluate with the library (for comparisons and benchmarks). */
  fastPath?: boolean;
}

// The renderers that evaluate on the fast path, so tests and tools can ask.
const fastRenderers = new WeakSet<TransformRenderer>();

/** Whether a renderer from compileJsonataTransform evaluates its expression on the fast path. */
export function isFastPath(renderer: TransformRenderer): boolean {
  return fastRenderers.has(renderer);
}

interface JsonataFailure {
  code?: unknown;
  position?: unknown;
  token?: unknown;
  message?: unknown;
}

function describeFailure(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const { code, position, message } = err as JsonataFailure;
  const text = typeof message === 'string' && message ? message : 'JSONata failed';
  const where = typeof position === 'number' ? ` at position ${position}` : '';
  return typeof code === 'string' ? `${text} (JSONata ${code}${where})` : text;
}

// Screens every regular expression a render constructs, including ones built by `$eval`
// from event data, which the compile-time screen cannot see.
const screened = new Map<string, string | undefined>();
class ScreenedRegExp extends RegExp {
  constructor(pattern: RegExp | string, flags?: string) {
    const source = typeof pattern === 'string' ? pattern : pattern.source;
    let hazard = screened.get(source);
    if (hazard === undefined && !screened.has(source)) {
      hazard = findRegexHazard(source);
      if (screened.size < 1000) screened.set(source, hazard);
    }
    if (hazard) throw createRenderError(`regular expression /${source}/ refused: ${hazard}`);
    super(pattern, flags);
  }
}

// Regex literals sit anywhere in the AST; walk every object once to find them.
function collectRegexLiterals(ast: unknown): RegExp[] {
  const found: RegExp[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof RegExp) {
      found.push(node);
      continue;
    }
    for (const child of Object.values(node)) stack.push(child);
  }
  return found;
}

function classifyEvaluationError(err: unknown, limits: TransformLimits): Error {
  const code = typeof err === 'object' && err !== null ? (err as JsonataFailure).code : undefined;
  if (code === 'D1012') return createTimeoutError(`the JSONata expression ran longer than ${limits.timeoutMs} ms (an infinite loop?)`);
  if (code === 'D1011') {
    return createTimeoutError(`the JSONata expression nested deeper than ${limits.maxDepth} levels (non-terminating recursion?)`);
  }
  if (typeof code === 'string' && /^[A-Z]\d{4}$/.test(code)) return createRenderError(describeFailure(err));
  // Ours (a refused regex) or a native error: transform.ts classifies it.
  if (err instanceof Error) return err;
  return createRenderError(describeFailure(err));
}

/**
 * Parses `expression` once (syntax errors and unsafe regular expressions become problems at
 * "expression") and renders its value over the input; `$flowbridge` holds the context.
 */
export function compileJsonataTransform(
  expression: string,
  limits: TransformLimits,
  problems: Problem[],
  options: JsonataCompileOptions = {},
): TransformRenderer | undefined {
  if (expression.trim() === '') {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'expression', 'is empty'));
    return undefined;
  }
  if (!checkSourceSize(expression, 'expression', limits.maxSourceBytes, problems)) return undefined;
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, {
      timeout: limits.timeoutMs,
      stack: limits.maxDepth,
      sequence: MAX_SEQUENCE_LENGTH,
      RegexEngine: ScreenedRegExp as unknown as RegExpConstructor,
    });
  } catch (err) {
    problems.push(createProblem('ERR_TRANSFORM_SYNTAX', 'expression', describeFailure(err)));
    return undefined;
  }
  const before = problems.length;
  for (const regex of collectRegexLiterals(compiled.ast())) {
    const hazard = findRegexHazard(regex.source);
    if (hazard) problems.push(createProblem('ERR_TRANSFORM_INVALID', 'expression', `regular expression /${regex.source}/: ${hazard}`));
  }
  if (problems.length > before) return undefined;

  const evaluateWithLibrary = async (input: unknown, bindings: Record<string, unknown>): Promise<unknown> => {
    try {
      return await compiled.evaluate(input, bindings);
    } catch (err) {
      throw classifyEvaluationError(err, limits);
    }
  };

  const plan = options.fastPath === false ? undefined : planFastJsonata(compiled.ast(), { maxDepth: limits.maxDepth, maxSequence: MAX_SEQUENCE_LENGTH });
  if (!plan?.fast) {
    return {
      output: 'json',
      async render(input, ctx) {
        return toJsonOutput(await evaluateWithLibrary(input, { flowbridge: describeContext(ctx) }), limits.maxOutputBytes);
      },
    };
  }

  const fast: FastJsonata = plan.evaluator;
  const renderer: TransformRenderer = {
    output: 'json',
    async render(input, ctx) {
      const bindings = { flowbridge: describeContext(ctx) };
      let result = fast.evaluate(input, bindings);
      // The fast path declined this event: the library evaluates it and has the last word.
      if (result instanceof FallBack) result = await evaluateWithLibrary(input, bindings);
      return toJsonOutput(result, limits.maxOutputBytes);
    },
  };
  fastRenderers.add(renderer);
  return renderer;
}
