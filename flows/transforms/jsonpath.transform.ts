// `jsonpath`: the part of the input a JSONPath selects.

import type { Problem } from '../error-codes.ts';
import { compileJsonPath, JsonPathSyntaxError, type CompiledJsonPath } from './json-path.ts';
import { createProblem, createRenderError } from './transform-errors.ts';
import type { TransformRenderer } from './transform-renderer.ts';

/** Compiles a path for a config field, adding a syntax problem at `problemPath` when it does not parse. */
export function compilePathOrReport(source: string, problemPath: string, problems: Problem[]): CompiledJsonPath | undefined {
  try {
    return compileJsonPath(source);
  } catch (err) {
    if (!(err instanceof JsonPathSyntaxError)) throw err;
    problems.push(createProblem('ERR_TRANSFORM_SYNTAX', problemPath, `is not a valid JSONPath: ${err.message}`));
    return undefined;
  }
}

/**
 * Renders the value at a definite path (an error when the path matches nothing) or, for a
 * path with wildcards, slices, unions or `..`, the array of every match (possibly empty).
 */
export function compileJsonPathTransform(path: string, problems: Problem[]): TransformRenderer | undefined {
  const compiled = compilePathOrReport(path, 'path', problems);
  if (!compiled) return undefined;
  return {
    output: 'json',
    render(input) {
      const value = compiled.select(input);
      if (value === undefined) throw createRenderError(`the path ${path} matches nothing in the input`);
      return value;
    },
  };
}
