// `handlebars`: a Handlebars text template for messages and e-mails. It runs on a private
// Handlebars instance (helpers registered here never touch the global one) with:
// - only known helpers: the built-in block helpers (if, unless, each, with, lookup) and
//   json, default, formatDate; `log` is removed (a template must not write to the console);
// - no partials or decorators (an inline partial can call itself forever);
// - no prototype access (Handlebars' own default, passed explicitly so it cannot drift);
// - a time budget checked on every loop iteration, since nested #each over one array
//   multiplies work without any recursion.

import Handlebars from 'handlebars';
import type { Problem } from '../error-codes.ts';
import { DateFormatError, formatDate } from './date-format.ts';
import { describeContext } from './transform-context.ts';
import { checkSourceSize, createProblem, createRenderError, createTimeoutError } from './transform-errors.ts';
import type { TransformLimits } from './transform-limits.ts';
import { toTextOutput } from './transform-output.ts';
import type { TransformRenderer } from './transform-renderer.ts';

export const HANDLEBARS_HELPERS = ['json', 'default', 'formatDate'] as const;

const hb = Handlebars.create();
hb.unregisterHelper('log');

// Renders are synchronous, so one deadline for "the render in progress" is enough.
let deadline = Infinity;
let budgetMs = 0;

function checkDeadline(): void {
  if (Date.now() > deadline) throw createTimeoutError(`the Handlebars template ran longer than ${budgetMs} ms`);
}

const baseEach = hb.helpers.each!;
hb.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
  const fn = options.fn;
  const guarded = Object.assign(function (this: unknown, ...args: Parameters<typeof fn>) {
    checkDeadline();
    return fn.apply(this, args);
  }, fn);
  return baseEach.call(this, context, { ...options, fn: guarded });
});

// Helpers get their arguments followed by Handlebars' options object.
function splitArgs(args: unknown[]): { params: unknown[]; options: Handlebars.HelperOptions } {
  const options = args[args.length - 1] as Handlebars.HelperOptions;
  return { params: args.slice(0, -1), options };
}

hb.registerHelper('json', function (...args: unknown[]) {
  const { params, options } = splitArgs(args);
  const indent = options.hash.indent as unknown;
  const space = typeof indent === 'number' && indent > 0 ? Math.min(indent, 10) : undefined;
  return JSON.stringify(params[0], null, space) ?? '';
});

hb.registerHelper('default', function (...args: unknown[]) {
  const { params } = splitArgs(args);
  return params.find((v) => v !== undefined && v !== null && v !== '') ?? '';
});

hb.registerHelper('formatDate', function (...args: unknown[]) {
  const { params, options } = splitArgs(args);
  const [value, pattern] = params;
  if (value === undefined || value === null || value === '') return '';
  const tz = options.hash.tz as unknown;
  try {
    return formatDate(value, typeof pattern === 'string' ? pattern : undefined, typeof tz === 'string' ? tz : undefined);
  } catch (err) {
    if (err instanceof DateFormatError) throw createRenderError(`formatDate: ${err.message}`);
    throw err;
  }
});

const COMPILE_OPTIONS: CompileOptions = {
  knownHelpers: { json: true, default: true, formatDate: true, log: false },
  knownHelpersOnly: true,
  strict: false,
};

type CompileOptions = NonNullable<Parameters<typeof hb.compile>[1]>;

const FORBIDDEN_NODES: Record<string, string> = {
  PartialStatement: 'partials ({{> name}}) are not supported',
  PartialBlockStatement: 'partial blocks ({{#> name}}) are not supported',
  DecoratorBlock: 'decorators and inline partials ({{#*inline}}) are not supported',
  Decorator: 'decorators ({{* name}}) are not supported',
};

function findForbiddenNodes(ast: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    const type = (node as { type?: unknown }).type;
    if (typeof type === 'string' && Object.hasOwn(FORBIDDEN_NODES, type)) found.add(FORBIDDEN_NODES[type]!);
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') stack.push(child);
  }
  return [...found];
}

function describeHandlebarsError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, ' ').replace(/You specified knownHelpersOnly, but used the unknown helper (\S+)/, (_m, name: string) => {
    return `unknown helper "${name}" (available: ${HANDLEBARS_HELPERS.join(', ')}, if, unless, each, with, lookup)`;
  });
}

/** Parses and compiles a Handlebars template once; renders it over the input as text, `@flowbridge` holding the context. */
export function compileHandlebarsTransform(template: string, limits: TransformLimits, problems: Problem[]): TransformRenderer | undefined {
  if (template.trim() === '') {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'template', 'is empty'));
    return undefined;
  }
  if (!checkSourceSize(template, 'template', limits.maxSourceBytes, problems)) return undefined;
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(template);
  } catch (err) {
    problems.push(createProblem('ERR_TRANSFORM_SYNTAX', 'template', describeHandlebarsError(err)));
    return undefined;
  }
  const forbidden = findForbiddenNodes(ast);
  for (const message of forbidden) problems.push(createProblem('ERR_TRANSFORM_INVALID', 'template', message));
  if (forbidden.length > 0) return undefined;
  try {
    // Precompiling runs the compiler passes that reject unknown helpers, without evaluating anything.
    hb.precompile(template, COMPILE_OPTIONS);
  } catch (err) {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'template', describeHandlebarsError(err)));
    return undefined;
  }
  const compiled = hb.compile(template, COMPILE_OPTIONS);

  const render = (input: unknown, data: Record<string, unknown>): string => {
    budgetMs = limits.timeoutMs;
    deadline = Date.now() + limits.timeoutMs;
    try {
      return compiled(input, {
        data: { flowbridge: data },
        allowProtoPropertiesByDefault: false,
        allowProtoMethodsByDefault: false,
        allowCallsToHelperMissing: false,
      });
    } finally {
      deadline = Infinity;
    }
  };
  // Handlebars compiles lazily on first use; do it now so deploy pays for it, not the first event.
  try {
    render({}, {});
  } catch {
    // Only evaluation on an empty input can fail here; the template itself compiled above.
  }

  return {
    output: 'text',
    render: (input, ctx) => toTextOutput(render(input, describeContext(ctx)), limits.maxOutputBytes),
  };
}
