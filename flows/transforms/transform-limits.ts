// The bounds every transform is compiled and rendered under. They exist because flows
// are written by users and run on events sent by strangers: a transform must neither
// hang a worker nor produce a body no target would accept.

export interface TransformLimits {
  /** Largest expression, template, path or constant (UTF-8 bytes of its source). */
  maxSourceBytes: number;
  /** Wall-clock budget of one JSONata evaluation or Handlebars render, in milliseconds. */
  timeoutMs: number;
  /** Deepest JSONata evaluation nesting (about three levels per recursive call). */
  maxDepth: number;
  /** Largest rendered output (UTF-8 bytes of its JSON or text form). */
  maxOutputBytes: number;
}

export const DEFAULT_TRANSFORM_LIMITS: TransformLimits = Object.freeze({
  maxSourceBytes: 32 * 1024,
  timeoutMs: 500,
  maxDepth: 1000,
  maxOutputBytes: 1024 * 1024,
});

/** Fills the limits not given with the defaults; a given limit must be a positive number. */
export function resolveTransformLimits(limits: Partial<TransformLimits> | undefined): TransformLimits {
  const resolved: TransformLimits = { ...DEFAULT_TRANSFORM_LIMITS };
  if (!limits) return resolved;
  for (const key of Object.keys(DEFAULT_TRANSFORM_LIMITS) as (keyof TransformLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`transform limit ${key} must be a positive number, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}
