// `handlebars`: a Handlebars text template. (Step 1: not yet available.)

import type { Problem } from '../error-codes.ts';
import { createProblem } from './transform-errors.ts';
import type { TransformLimits } from './transform-limits.ts';
import type { TransformRenderer } from './transform-renderer.ts';

/** Not yet implemented: reports a problem at "template". */
export function compileHandlebarsTransform(_template: string, _limits: TransformLimits, problems: Problem[]): TransformRenderer | undefined {
  problems.push(createProblem('ERR_TRANSFORM_INVALID', 'template', 'handlebars transforms are not available yet'));
  return undefined;
}
