// The compiled core of one transform kind, before transform.ts wraps it with the error
// classification every caller relies on.

import type { TransformContext } from './transform-context.ts';

export interface TransformRenderer {
  readonly output: 'json' | 'text';
  render(input: unknown, ctx: TransformContext): unknown;
}
