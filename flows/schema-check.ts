import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorCode, Problem } from './error-codes.ts';

// One Ajv instance for all flow-level schemas. allErrors: a user fixing a flow wants every
// problem at once, not one per deploy attempt.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
const cache = new WeakMap<object, ValidateFunction>();

/** Turns an Ajv instance path (`/nodes/3/config/url`) into a flow path (`nodes[3].config.url`). */
export function toFlowPath(base: string, instancePath: string): string {
  let out = base;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describe(err: ErrorObject): string {
  switch (err.keyword) {
    case 'required':
      return `is missing the required property "${String((err.params as { missingProperty: string }).missingProperty)}"`;
    case 'additionalProperties':
      return `has an unknown property "${String((err.params as { additionalProperty: string }).additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return err.message ?? 'is invalid';
  }
}

/** Compiles (once per schema object) and returns the validator. */
export function compileSchema(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/** Checks `value` against a JSON Schema; one Problem per violation, paths prefixed by `base`. */
export function checkSchema(schema: object, value: unknown, base: string, code: ErrorCode): Problem[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    // oneOf/anyOf produce one error per branch plus a summary; the summary is what helps.
    if (err.keyword === 'if') continue;
    const path = toFlowPath(base, err.instancePath);
    const message = `${path || 'document'} ${describe(err)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ code, path, message });
  }
  return problems;
}
