// Why an event pattern matched or not, condition by condition. The pattern engine answers
// yes or no; to say which condition failed, each leaf condition is compiled on its own
// (with the same engine) and tested against the event.
import { compilePattern } from '../../../flows/patterns/pattern.ts';

export interface ConditionResult {
  /** Dotted field path (`data.employee.employmentStatus`), or `$or` for an alternative group. */
  path: string;
  /** The condition as written in the pattern. */
  expected: unknown;
  /** What the event has at that path (undefined when nothing). */
  actual: unknown;
  matched: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nest(path: string[], leaf: unknown): Record<string, unknown> {
  let out: unknown = leaf;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]!]: out };
  return out as Record<string, unknown>;
}

function valueAt(event: unknown, path: string[]): unknown {
  let cur: unknown = event;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur.map((x) => (isObject(x) ? x[key] : undefined)).filter((x) => x !== undefined);
    else if (isObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** One result per leaf condition of a (valid) pattern, in pattern order; [] when the pattern cannot be read. */
export function explainPattern(pattern: unknown, event: unknown): ConditionResult[] {
  const out: ConditionResult[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$or' && Array.isArray(value)) {
        out.push({ path: [...path, '$or'].join('.'), expected: value, actual: undefined, matched: test(nest(path, { $or: value }), event) });
      } else if (Array.isArray(value)) {
        const at = [...path, key];
        out.push({ path: at.join('.'), expected: value, actual: valueAt(event, at), matched: test(nest(at, value), event) });
      } else walk(value, [...path, key]);
    }
  };
  walk(pattern, []);
  return out;
}

function test(pattern: Record<string, unknown>, event: unknown): boolean {
  try {
    return compilePattern(pattern).matches(event);
  } catch {
    return false;
  }
}

/** One sentence per failed condition, e.g. `data.status: expected ["active"], the event has "terminated"`. */
export function describeMismatch(results: readonly ConditionResult[]): string[] {
  return results
    .filter((r) => !r.matched)
    .map((r) => {
      if (r.path.endsWith('$or')) return `${r.path}: none of the alternatives matched`;
      const has = r.actual === undefined ? 'the event has no such field' : `the event has ${JSON.stringify(r.actual)}`;
      return `${r.path}: expected ${JSON.stringify(r.expected)}, ${has}`;
    });
}
