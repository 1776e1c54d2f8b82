// How transforms report trouble: Problems (with a path inside the transform config) at
// compile time, and FlowbridgeErrors with a transform code at render time. A render
// error is permanent — the same input fails the same way — so it must say why.

import { FlowbridgeError, type ErrorCode, type Problem } from '../error-codes.ts';
import { utf8ByteLength } from './utf8-length.ts';

/** A compile-time problem at `path` (relative to the transform config; '' is the config itself). */
export function createProblem(code: ErrorCode, path: string, message: string): Problem {
  return { code, path, message };
}

/** `base.key`, or `base["key"]` when the key is not a plain identifier, so paths stay unambiguous. */
export function joinPath(base: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!base) return part;
  return part.startsWith('[') ? `${base}${part}` : `${base}.${part}`;
}

/** Adds a too-large problem when `source` exceeds maxSourceBytes; says whether it fits. */
export function checkSourceSize(source: string, path: string, maxSourceBytes: number, problems: Problem[]): boolean {
  const bytes = utf8ByteLength(source);
  if (bytes <= maxSourceBytes) return true;
  problems.push(createProblem('ERR_TRANSFORM_TOO_LARGE', path, `is ${bytes} bytes; the limit is ${maxSourceBytes}`));
  return false;
}

/** A permanent render failure with a message a user can act on. */
export function createRenderError(message: string): FlowbridgeError {
  return new FlowbridgeError('ERR_TRANSFORM_RENDER', message);
}

/** A render stopped by the time or depth limit. */
export function createTimeoutError(message: string): FlowbridgeError {
  return new FlowbridgeError('ERR_TRANSFORM_TIMEOUT', message);
}

/** Classifies anything thrown while rendering, so callers only ever see a transform FlowbridgeError. */
export function toRenderError(err: unknown): FlowbridgeError {
  if (err instanceof FlowbridgeError && (err.code === 'ERR_TRANSFORM_RENDER' || err.code === 'ERR_TRANSFORM_TIMEOUT')) return err;
  // A native stack overflow can only come from unbounded nesting, which is what the depth limit is for.
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return createTimeoutError('the transform nested too deeply (call stack exhausted)');
  }
  const message = err instanceof Error ? err.message : typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
  return createRenderError(message || 'the transform failed');
}
