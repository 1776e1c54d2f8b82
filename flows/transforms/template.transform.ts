// `template`: the AWS EventBridge input transformer, so an AWS InputTransformer pasted into
// a flow renders the same body. The rules, per slot:
//
//   value        | unquoted slot in a JSON template | inside a JSON string     | plain-text template
//   string       | quoted and escaped: "Ada"        | escaped, no quotes: Ada  | as is
//   number, bool | as JSON: 36, true                | 36, true                 | 36, true
//   null         | null                             | null                     | null
//   object/array | compact JSON                     | compact JSON, no quotes  | compact JSON
//   missing      | nothing                          | nothing                  | nothing
//
// Where AWS inserts a string raw inside a JSON string (so a `"` in the value breaks the
// body), flowbridge escapes it. A JSON template whose result does not parse fails the render.

import type { Problem } from '../error-codes.ts';
import { parseInputTemplate, type TemplateMode, type TemplateSlot } from './input-template.ts';
import { compilePathOrReport } from './jsonpath.transform.ts';
import type { TransformContext } from './transform-context.ts';
import { checkSourceSize, createProblem, createRenderError, joinPath } from './transform-errors.ts';
import type { TransformLimits } from './transform-limits.ts';
import { checkOutputSize } from './transform-output.ts';
import type { TransformRenderer } from './transform-renderer.ts';

const MAX_VARIABLES = 100;
const MAX_VARIABLE_NAME_LENGTH = 256;
const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;

// Predefined variables: flowbridge's names, and AWS's as aliases. `aws.events.event` is
// the whole event here (AWS leaves out `detail`; a CloudEvent has none to leave out).
const PREDEFINED: Readonly<Record<string, (ctx: TransformContext) => unknown>> = {
  'flowbridge.rule-name': (ctx) => ctx.ruleName,
  'flowbridge.flow-id': (ctx) => ctx.flowId,
  'flowbridge.event': (ctx) => ctx.event,
  'flowbridge.event.ingestion-time': (ctx) => ctx.ingestionTime,
  'aws.events.rule-name': (ctx) => ctx.ruleName,
  'aws.events.rule-arn': (ctx) => ctx.ruleArn,
  'aws.events.event': (ctx) => ctx.event,
  'aws.events.event.json': (ctx) => ctx.event,
  'aws.events.event.ingestion-time': (ctx) => ctx.ingestionTime,
};

export const PREDEFINED_TEMPLATE_VARIABLES: readonly string[] = Object.keys(PREDEFINED);

type Resolve = (input: unknown, ctx: TransformContext) => unknown;

function escapeInString(text: string): string {
  const json = JSON.stringify(text);
  return json.slice(1, -1);
}

// Compact JSON with the quotes taken off, for an object or array inside a JSON string.
// Strings are escaped rather than merely unquoted so the surrounding string stays valid.
function stringifyWithoutQuotes(value: unknown): string {
  if (typeof value === 'string') return escapeInString(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stringifyWithoutQuotes(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) members.push(`${escapeInString(k)}:${stringifyWithoutQuotes(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? '';
}

function insertAsJsonValue(value: unknown): string {
  return value === undefined ? '' : (JSON.stringify(value) ?? '');
}

function insertInString(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeInString(value);
  return stringifyWithoutQuotes(value);
}

function insertAsText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

function chooseInserter(mode: TemplateMode, slot: TemplateSlot): (value: unknown) => string {
  if (mode === 'text') return insertAsText;
  return slot.quoted ? insertInString : insertAsJsonValue;
}

function compileVariables(map: Record<string, unknown>, limits: TransformLimits, problems: Problem[]): Map<string, Resolve> {
  const resolvers = new Map<string, Resolve>();
  const names = Object.keys(map);
  if (names.length > MAX_VARIABLES) {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'inputPathsMap', `has ${names.length} variables; the limit is ${MAX_VARIABLES}`));
  }
  for (const name of names) {
    const where = joinPath('inputPathsMap', name);
    const path = map[name];
    if (!VARIABLE_NAME.test(name) || name.length > MAX_VARIABLE_NAME_LENGTH) {
      problems.push(createProblem('ERR_TRANSFORM_INVALID', where, `variable names are 1–${MAX_VARIABLE_NAME_LENGTH} letters, digits, _ or - (no dots: those are reserved for predefined variables)`));
      continue;
    }
    if (typeof path !== 'string') {
      problems.push(createProblem('ERR_TRANSFORM_INVALID', where, 'must be a JSONPath string'));
      continue;
    }
    if (!checkSourceSize(path, where, limits.maxSourceBytes, problems)) continue;
    const compiled = compilePathOrReport(path, where, problems);
    if (compiled) resolvers.set(name, (input) => compiled.select(input));
  }
  return resolvers;
}

function describeMissing(missing: string[]): string {
  if (missing.length === 0) return '';
  return ` (no value for ${missing.map((n) => `<${n}>`).join(', ')}, which ${missing.length === 1 ? 'stands' : 'stand'} outside quotes)`;
}

/**
 * Compiles an AWS-style input transformer: paths and template are checked once (undefined
 * placeholders, keys used as placeholders, templates that can never be JSON are problems).
 */
export function compileTemplateTransform(
  inputPathsMap: Record<string, unknown>,
  inputTemplate: string,
  limits: TransformLimits,
  problems: Problem[],
): TransformRenderer | undefined {
  const before = problems.length;
  const variables = compileVariables(inputPathsMap, limits, problems);
  if (inputTemplate.trim() === '') {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'inputTemplate', 'is empty'));
    return undefined;
  }
  if (!checkSourceSize(inputTemplate, 'inputTemplate', limits.maxSourceBytes, problems)) return undefined;
  const { template, errors } = parseInputTemplate(inputTemplate);
  for (const error of errors) problems.push(createProblem('ERR_TRANSFORM_SYNTAX', 'inputTemplate', error));
  if (!template) return undefined;

  // Each variable resolves once per render, however often the template uses it.
  const used: string[] = [];
  const undefinedNames = new Set<string>();
  for (const part of template.parts) {
    if (typeof part === 'string' || used.includes(part.name)) continue;
    if (variables.has(part.name) || Object.hasOwn(PREDEFINED, part.name)) used.push(part.name);
    else if (!Object.hasOwn(inputPathsMap, part.name)) undefinedNames.add(part.name);
  }
  for (const name of undefinedNames) {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'inputTemplate', `placeholder <${name}> is not defined in inputPathsMap and is not a predefined variable`));
  }
  if (problems.length > before) return undefined;

  const { mode } = template;
  const resolvers = used.map((name) => variables.get(name) ?? ((_input: unknown, ctx: TransformContext) => PREDEFINED[name]!(ctx)));
  const plan = template.parts.map((part) =>
    typeof part === 'string' ? part : { index: used.indexOf(part.name), name: part.name, quoted: part.quoted, insert: chooseInserter(mode, part) },
  );

  return {
    output: mode === 'json' ? 'json' : 'text',
    render(input, ctx) {
      const values = resolvers.map((resolve) => resolve(input, ctx));
      let text = '';
      for (const step of plan) text += typeof step === 'string' ? step : step.insert(values[step.index]);
      checkOutputSize(text, limits.maxOutputBytes);
      if (mode === 'text') return text;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const missing = plan.flatMap((s) => (typeof s !== 'string' && !s.quoted && values[s.index] === undefined ? [s.name] : []));
        throw createRenderError(`the input template did not produce valid JSON: ${reason}${describeMissing([...new Set(missing)])}`);
      }
    },
  };
}
