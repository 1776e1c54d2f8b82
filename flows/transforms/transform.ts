// The transform API the router, the API's test endpoint, the CLI and the editor call:
// validate and compile a transform config once, then render it per event. Every kind
// lives in its own file; this one checks the config's shape, dispatches, and makes sure a
// render only ever fails with ERR_TRANSFORM_RENDER or ERR_TRANSFORM_TIMEOUT.

import { FlowbridgeError, type Problem } from '../error-codes.ts';
import { compileConstantTransform } from './constant.transform.ts';
import { freezeDeep } from './freeze-deep.ts';
import { compileHandlebarsTransform } from './handlebars.transform.ts';
import { compileJsonataTransform } from './jsonata.transform.ts';
import { compileJsonPathTransform } from './jsonpath.transform.ts';
import { compileOriginalTransform } from './original.transform.ts';
import { compileTemplateTransform } from './template.transform.ts';
import type { TransformContext } from './transform-context.ts';
import { checkSourceSize, createProblem, joinPath, toRenderError } from './transform-errors.ts';
import { resolveTransformLimits, type TransformLimits } from './transform-limits.ts';
import type { TransformRenderer } from './transform-renderer.ts';

export type { TransformContext } from './transform-context.ts';
export { DEFAULT_TRANSFORM_LIMITS, type TransformLimits } from './transform-limits.ts';

export type TransformConfig =
  | { type: 'original'; part?: 'data' }
  | { type: 'jsonpath'; path: string }
  | { type: 'constant'; value: unknown }
  | { type: 'template'; inputPathsMap?: Record<string, string>; inputTemplate: string }
  | { type: 'jsonata'; expression: string }
  | { type: 'handlebars'; template: string };

export type TransformKind = TransformConfig['type'];

export interface CompiledTransform {
  readonly config: TransformConfig;
  /** 'text' for handlebars, string and plain-text templates, and string constants. */
  readonly output: 'json' | 'text';
  /** Renders one input; rejects only with FlowbridgeError ERR_TRANSFORM_RENDER or ERR_TRANSFORM_TIMEOUT. */
  render(input: unknown, ctx: TransformContext): Promise<unknown>;
}

// Each kind's fields, and whether the field is required.
const KIND_FIELDS: Record<TransformKind, Record<string, boolean>> = {
  original: { part: false },
  jsonpath: { path: true },
  constant: { value: true },
  template: { inputPathsMap: false, inputTemplate: true },
  jsonata: { expression: true },
  handlebars: { template: true },
};

export const TRANSFORM_KINDS = Object.keys(KIND_FIELDS) as TransformKind[];

function isKind(value: unknown): value is TransformKind {
  return typeof value === 'string' && Object.hasOwn(KIND_FIELDS, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The shape checks common to all kinds: an object, a known type, known fields, required
// fields present and strings where strings are expected.
function checkShape(config: unknown, problems: Problem[]): config is TransformConfig {
  if (!isPlainObject(config)) {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', '', 'a transform config must be an object with a type'));
    return false;
  }
  const { type } = config;
  if (!isKind(type)) {
    const message = type === undefined ? 'is required' : `${JSON.stringify(type)} is not a transform kind`;
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'type', `${message}; expected one of ${TRANSFORM_KINDS.join(', ')}`));
    return false;
  }
  const fields = KIND_FIELDS[type];
  const before = problems.length;
  for (const key of Object.keys(config)) {
    if (key !== 'type' && !Object.hasOwn(fields, key)) {
      problems.push(createProblem('ERR_TRANSFORM_INVALID', joinPath('', key), `is not a field of a ${type} transform (fields: ${Object.keys(fields).join(', ')})`));
    }
  }
  for (const [key, required] of Object.entries(fields)) {
    const value = config[key];
    if (value === undefined) {
      if (required) problems.push(createProblem('ERR_TRANSFORM_INVALID', key, 'is required'));
      continue;
    }
    if (key === 'part') {
      if (value !== 'data') problems.push(createProblem('ERR_TRANSFORM_INVALID', key, 'must be "data" when given'));
    } else if (key === 'inputPathsMap') {
      if (!isPlainObject(value)) problems.push(createProblem('ERR_TRANSFORM_INVALID', key, 'must be an object of variable names to JSONPaths'));
    } else if (key !== 'value' && typeof value !== 'string') {
      problems.push(createProblem('ERR_TRANSFORM_INVALID', key, 'must be a string'));
    }
  }
  return problems.length === before;
}

function checkConstant(value: unknown, limits: TransformLimits, problems: Problem[]): boolean {
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(value);
  } catch {
    serialized = undefined;
  }
  if (serialized === undefined || typeof value === 'function') {
    problems.push(createProblem('ERR_TRANSFORM_INVALID', 'value', 'must be a JSON value'));
    return false;
  }
  return checkSourceSize(serialized, 'value', limits.maxSourceBytes, problems);
}

function buildRenderer(config: TransformConfig, limits: TransformLimits, problems: Problem[]): TransformRenderer | undefined {
  switch (config.type) {
    case 'original':
      return compileOriginalTransform(config.part);
    case 'constant':
      return checkConstant(config.value, limits, problems) ? compileConstantTransform(config.value) : undefined;
    case 'jsonpath':
      return checkSourceSize(config.path, 'path', limits.maxSourceBytes, problems) ? compileJsonPathTransform(config.path, problems) : undefined;
    case 'jsonata':
      return compileJsonataTransform(config.expression, limits, problems);
    case 'template':
      return compileTemplateTransform(config.inputPathsMap ?? {}, config.inputTemplate, limits, problems);
    case 'handlebars':
      return compileHandlebarsTransform(config.template, limits, problems);
  }
}

function analyzeTransform(config: unknown, limits: TransformLimits): { problems: Problem[]; renderer?: TransformRenderer } {
  const problems: Problem[] = [];
  if (!checkShape(config, problems)) return { problems };
  try {
    const renderer = buildRenderer(config, limits, problems);
    if (problems.length > 0) return { problems };
    if (!renderer) return { problems: [createProblem('ERR_TRANSFORM_INVALID', '', 'the transform could not be compiled')] };
    return { problems, renderer };
  } catch (err) {
    // A library failing in a way we did not foresee still means this config cannot be used.
    const message = err instanceof Error ? err.message : String(err);
    problems.push(createProblem('ERR_TRANSFORM_INVALID', '', `the transform could not be compiled: ${message}`));
    return { problems };
  }
}

function summarize(problems: Problem[]): string {
  const first = problems[0]!;
  const where = first.path ? `${first.path}: ` : '';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `Invalid transform: ${where}${first.message}${more}`;
}

/**
 * Validates and compiles a transform config once; throws FlowbridgeError (code of the first
 * problem, details: every Problem with its path relative to the config, e.g. "expression").
 */
export function compileTransform(config: unknown, limits?: Partial<TransformLimits>): CompiledTransform {
  const resolved = resolveTransformLimits(limits);
  const { problems, renderer } = analyzeTransform(config, resolved);
  if (!renderer) throw new FlowbridgeError(problems[0]?.code ?? 'ERR_TRANSFORM_INVALID', summarize(problems), problems);
  return {
    config: freezeDeep(structuredClone(config as TransformConfig)),
    output: renderer.output,
    async render(input, ctx) {
      try {
        return await renderer.render(input, ctx);
      } catch (err) {
        throw toRenderError(err);
      }
    },
  };
}

/** The same checks as compileTransform, without throwing: [] when the config is valid. */
export function validateTransform(config: unknown, limits?: Partial<TransformLimits>): Problem[] {
  return analyzeTransform(config, resolveTransformLimits(limits)).problems;
}
