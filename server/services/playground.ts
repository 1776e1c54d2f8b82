import { FlowbridgeError } from '../../flows/error-codes.ts';
import { compilePattern } from '../../flows/patterns/pattern.ts';
import { compileTransform } from '../../flows/transforms/transform.ts';
import { errorBody } from '../http-util.ts';

/** An API answer as data, so the HTTP API and the CLI print the very same JSON. */
export interface Answer {
  status: number;
  body: unknown;
}

function asError(err: unknown, fallback: 'ERR_PATTERN_INVALID' | 'ERR_TRANSFORM_RENDER'): Answer {
  const fe = err instanceof FlowbridgeError ? err : new FlowbridgeError(fallback, err instanceof Error ? err.message : String(err));
  return { status: fe.status, body: errorBody(fe.code, fe.message, fe.details) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{pattern, event}` → `{match}`; an invalid pattern is 400 ERR_PATTERN_INVALID with event-ruler's reason. */
export function testPattern(input: unknown): Answer {
  if (!isObject(input) || !('pattern' in input) || !('event' in input)) {
    return { status: 400, body: errorBody('ERR_VALIDATION', 'Send {"pattern": …, "event": …}') };
  }
  if (!isObject(input.event)) return { status: 400, body: errorBody('ERR_VALIDATION', '"event" must be a JSON object', [{ path: 'event' }]) };
  try {
    return { status: 200, body: { match: compilePattern(input.pattern).matches(input.event) } };
  } catch (err) {
    return asError(err, 'ERR_PATTERN_INVALID');
  }
}

/** `{transform, event}` → `{output}`; an invalid transform is 400, a failing render 422. */
export async function testTransform(input: unknown): Promise<Answer> {
  if (!isObject(input) || !('transform' in input) || !('event' in input)) {
    return { status: 400, body: errorBody('ERR_VALIDATION', 'Send {"transform": {"type": …}, "event": …}') };
  }
  let compiled;
  try {
    compiled = compileTransform(input.transform);
  } catch (err) {
    const fe = err instanceof FlowbridgeError ? err : new FlowbridgeError('ERR_TRANSFORM_INVALID', String(err));
    return { status: fe.status >= 500 ? 400 : fe.status, body: errorBody(fe.code, fe.message, fe.details) };
  }
  try {
    const output = await compiled.render(input.event, { event: input.event, ruleName: 'test', flowId: 'test', ingestionTime: new Date().toISOString() });
    return { status: 200, body: { output: output === undefined ? null : output } };
  } catch (err) {
    const ans = asError(err, 'ERR_TRANSFORM_RENDER');
    return { ...ans, status: 422 };
  }
}
