import { DeliveryError } from './failure.ts';

// `{{ }}` placeholders in connector settings (URLs, paths, headers, subjects): a dotted
// path into the event or into the rule's output. Compiled once at deploy, so a typo is a
// deploy error with its path rather than a failed delivery per event.

export interface PlaceholderScope {
  /** The original event, structured JSON form. */
  event: Record<string, unknown>;
  /** The output of the rule's steps. */
  body: unknown;
}

export type PlaceholderEncoding = 'none' | 'uri-component';

export interface CompiledPlaceholders {
  /** The paths used, e.g. `event.data.id`, `body.externalId`. */
  readonly paths: readonly string[];
  /** Renders with values from the scope; throws a permanent DeliveryError naming a missing value. */
  render(scope: PlaceholderScope, encoding?: PlaceholderEncoding): string;
}

export class PlaceholderSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaceholderSyntaxError';
  }
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^(event|body)((?:\.[A-Za-z_$][\w$-]*|\[\d+\])*)$/;

function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}

function lookup(value: unknown, steps: readonly (string | number)[]): unknown {
  let cur = value;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // Own properties only: a path must not reach the prototype chain.
    if (!Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}

/**
 * Compiles a text with `{{event.<path>}}` / `{{body.<path>}}` placeholders (`{{body}}` is
 * the whole output when it is a scalar). Throws PlaceholderSyntaxError for anything else.
 */
export function compilePlaceholders(template: string): CompiledPlaceholders {
  const parts: (string | { path: string; root: 'event' | 'body'; steps: (string | number)[] })[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const expr = m[1] ?? '';
    const parsed = PATH.exec(expr);
    if (!parsed) throw new PlaceholderSyntaxError(`"{{${expr}}}" is not a placeholder: use {{event.<path>}} or {{body.<path>}}, e.g. {{event.data.id}}`);
    parts.push(template.slice(last, m.index));
    parts.push({ path: expr, root: parsed[1] as 'event' | 'body', steps: splitPath(parsed[2] ?? '') });
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  const rest = parts.filter((p): p is string => typeof p === 'string').join('');
  if (rest.includes('{{') || rest.includes('}}')) throw new PlaceholderSyntaxError('unbalanced "{{" or "}}"');
  const paths = parts.flatMap((p) => (typeof p === 'string' ? [] : [p.path]));
  return {
    paths,
    render(scope, encoding = 'none') {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const value = lookup(p.root === 'event' ? scope.event : scope.body, p.steps);
        if (value === undefined || value === null || typeof value === 'object') {
          throw new DeliveryError(`placeholder {{${p.path}}} has no ${value === undefined || value === null ? 'value' : 'scalar value'} in this event`, {
            kind: 'permanent',
            reason: 'a placeholder could not be filled from the event',
          });
        }
        const text = String(value);
        out += encoding === 'uri-component' ? encodeURIComponent(text) : text;
      }
      return out;
    },
  };
}

/** Whether a text contains placeholders at all (plain texts need no rendering). */
export function hasPlaceholders(text: string): boolean {
  return /\{\{/.test(text);
}

const compiled = new Map<string, CompiledPlaceholders>();
const MAX_CACHED = 2000;

/**
 * Like `compilePlaceholders`, remembering the result per template text. Delivery jobs
 * carry their config as JSON, so a per-object cache would never hit; texts repeat.
 */
export function compilePlaceholdersCached(template: string): CompiledPlaceholders {
  let c = compiled.get(template);
  if (!c) {
    c = compilePlaceholders(template);
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
    compiled.set(template, c);
  }
  return c;
}

/** Deploy-time check of placeholder texts: one ConfigProblem-shaped entry per text that does not compile. */
export function checkPlaceholders(texts: readonly [path: string, text: string | undefined][]): { path: string; code: string; message: string }[] {
  const problems: { path: string; code: string; message: string }[] = [];
  for (const [path, text] of texts) {
    if (typeof text !== 'string') continue;
    try {
      compilePlaceholders(text);
    } catch (err) {
      problems.push({ path, code: 'ERR_CONNECTOR_PLACEHOLDER', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return problems;
}
