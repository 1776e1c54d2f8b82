// `constant`: the same value for every event.

import { freezeDeep } from './freeze-deep.ts';
import type { TransformRenderer } from './transform-renderer.ts';

/**
 * Renders `value` (a private, frozen copy: a consumer mutating one output must not change
 * the next). A string is text output; any other JSON value is JSON output.
 */
export function compileConstantTransform(value: unknown): TransformRenderer {
  const frozen = freezeDeep(structuredClone(value));
  return { output: typeof frozen === 'string' ? 'text' : 'json', render: () => frozen };
}
