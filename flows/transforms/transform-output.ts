// Checks on what a transform produced: it must be a JSON value (or text) and fit the
// output limit, so a target never receives a function, `undefined` or a runaway body.

import { createRenderError } from './transform-errors.ts';
import { utf8ByteLength } from './utf8-length.ts';

/** Throws a render error when the serialized output exceeds `maxOutputBytes`. */
export function checkOutputSize(serialized: string, maxOutputBytes: number): void {
  // Most outputs are far below the limit; only count bytes when the length alone cannot decide.
  if (serialized.length * 3 <= maxOutputBytes) return;
  const bytes = utf8ByteLength(serialized);
  if (bytes > maxOutputBytes) {
    throw createRenderError(`the output is ${bytes} bytes; the limit is ${maxOutputBytes}`);
  }
}

// JSONata represents its functions as objects flagged `_jsonata_lambda` / `_jsonata_function`.
function isFunctionLike(value: unknown): boolean {
  if (typeof value === 'function') return true;
  return typeof value === 'object' && value !== null && ('_jsonata_lambda' in value || '_jsonata_function' in value);
}

/**
 * Returns a plain JSON copy of a computed value (dropping engine-internal markers such as
 * JSONata's sequence flags); throws a render error for no value, a function, or an oversized result.
 */
export function toJsonOutput(value: unknown, maxOutputBytes: number): unknown {
  if (value === undefined) throw createRenderError('the transform produced no value (nothing matched)');
  if (isFunctionLike(value)) throw createRenderError('the transform produced a function, not a JSON value');
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(value);
  } catch (err) {
    // JSONata lambdas are objects that reference their environment: a nested one shows up as a cycle.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw createRenderError(`the output is not a JSON value (does it contain a function?): ${reason}`);
  }
  if (serialized === undefined) throw createRenderError('the transform produced no JSON value');
  checkOutputSize(serialized, maxOutputBytes);
  return JSON.parse(serialized) as unknown;
}

/** Returns `text` after checking it against the output limit. */
export function toTextOutput(text: string, maxOutputBytes: number): string {
  checkOutputSize(text, maxOutputBytes);
  return text;
}
