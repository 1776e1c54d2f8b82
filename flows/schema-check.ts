import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorCode, Problem } from './error-codes.ts';

// One Ajv instance for all flow-level schemas. allErrors: a user fixing a flow wants every
// problem at once, not one per deploy attempt.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false, verbose: true });
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

/**
 * A failed oneOf/anyOf reports an error per branch plus a summary, which sends users after
 * the wrong fix. Keep the errors of the branches the value has the shape of (no missing or
 * unknown properties, right type at the branch's own level); when none fits, keep only the
 * summary, naming the branches by title.
 */
function simplifyAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const summaries = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  if (!summaries.length) return errors;
  const drop = new Set<ErrorObject>();
  for (const summary of summaries) {
    const branchErrors = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (e === summary || !e.schemaPath.startsWith(`${summary.schemaPath}/`)) continue;
      const branch = e.schemaPath.slice(summary.schemaPath.length + 1).split('/')[0]!;
      branchErrors.set(branch, [...(branchErrors.get(branch) ?? []), e]);
    }
    const shaped = [...branchErrors.values()].filter((errs) => !errs.some((e) => e.instancePath === summary.instancePath && ['required', 'additionalProperties', 'type', 'const', 'enum'].includes(e.keyword)));
    // Problems every branch reports (a property all of them require) are worth saying as they are.
    const key = (e: ErrorObject) => `${e.instancePath}|${e.keyword}|${e.message ?? ''}|${JSON.stringify(e.params)}`;
    const all = [...branchErrors.values()];
    const common = all.length ? all[0]!.filter((e) => all.every((errs) => errs.some((o) => key(o) === key(e)))) : [];
    for (const errs of branchErrors.values()) if (!shaped.includes(errs)) for (const e of errs) if (!common.includes(e)) drop.add(e);
    if (shaped.length || common.length) drop.add(summary);
    else {
      const branches = (summary.parentSchema as { oneOf?: { title?: string }[]; anyOf?: { title?: string }[] } | undefined);
      const titles = (branches?.oneOf ?? branches?.anyOf ?? []).map((b, i) => b.title ?? `option ${i + 1}`);
      summary.message = titles.length ? `must be one of: ${titles.join(' | ')}` : summary.message;
    }
  }
  return errors.filter((e) => !drop.has(e));
}

/** Checks `value` against a JSON Schema; one Problem per violation, paths prefixed by `base`. */
export function checkSchema(schema: object, value: unknown, base: string, code: ErrorCode): Problem[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const err of simplifyAlternatives(validate.errors ?? [])) {
    if (err.keyword === 'if') continue;
    const path = toFlowPath(base, err.instancePath);
    const message = `${path || 'document'} ${describe(err)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ code, path, message });
  }
  return problems;
}
