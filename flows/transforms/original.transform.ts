// `original`: the input unchanged (the event, or the previous output in a chain), or only its `data`.

import { createRenderError } from './transform-errors.ts';
import type { TransformRenderer } from './transform-renderer.ts';

/** Renders the input itself, or its `data` member when `part` is 'data' (an error when there is none). */
export function compileOriginalTransform(part: 'data' | undefined): TransformRenderer {
  if (part !== 'data') return { output: 'json', render: (input) => input };
  return {
    output: 'json',
    render(input) {
      if (typeof input === 'object' && input !== null && !Array.isArray(input) && Object.hasOwn(input, 'data')) {
        return (input as { data: unknown }).data;
      }
      const binary = typeof input === 'object' && input !== null && Object.hasOwn(input, 'data_base64');
      throw createRenderError(binary ? 'the event carries binary data (data_base64), not data' : 'the input has no data member');
    },
  };
}
