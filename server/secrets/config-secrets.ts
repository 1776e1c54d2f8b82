// Secrets inside node configs (webhook signing secrets, tokens in target configs) are
// declared once, as `writeOnly: true` in the kind's JSON Schema. That one declaration
// decides what is sealed at rest (AES-256-GCM), masked in every API answer, and opened
// only in the process that uses it.
import { type SecretKey, openSecret, sealSecret } from '../../connectors/spi/connection-crypto.ts';
import { MASK } from '../../connectors/spi/connection.ts';

/** What API answers show instead of a secret. */
export const SECRET_MASK = MASK;

/** Marks a sealed config value; what follows is `sealSecret`'s output. */
const SEALED_PREFIX = 'sealed:';

type Json = unknown;
type Path = (string | number)[];
type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a oneOf/anyOf branch is meant for this value: its `const` properties (e.g. `kind`) agree. */
function branchApplies(branch: Schema, value: Json): boolean {
  const props = isObject(branch.properties) ? branch.properties : {};
  if (!isObject(value)) return true;
  for (const [name, sub] of Object.entries(props)) {
    if (isObject(sub) && 'const' in sub && name in value && value[name] !== sub.const) return false;
  }
  return true;
}

/** The paths in `value` that `schema` declares `writeOnly`. */
export function writeOnlyPaths(schema: unknown, value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (!isObject(schema)) return out;
  if (schema.writeOnly === true) {
    if (value !== undefined) out.push(path);
    return out;
  }
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const b of branches) if (isObject(b) && branchApplies(b, value)) writeOnlyPaths(b, value, path, out);
  }
  if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [k, v] of Object.entries(value)) {
      const sub = Object.hasOwn(props, k) ? props[k] : isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
      writeOnlyPaths(sub, v, [...path, k], out);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => writeOnlyPaths(Array.isArray(schema.items) ? schema.items[i] : schema.items, v, [...path, i], out));
  }
  return out;
}

function getAt(value: Json, path: Path): Json {
  let cur = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Object.hasOwn(cur, p) ? (cur as Record<string | number, Json>)[p] : undefined;
  }
  return cur;
}

/** A copy of `value` with `fn` applied to every string at or under `path`. */
function mapStringsAt(value: Json, path: Path, fn: (s: string, at: Path) => string, at: Path = []): Json {
  if (path.length === 0) {
    if (typeof value === 'string') return fn(value, at);
    if (Array.isArray(value)) return value.map((v, i) => mapStringsAt(v, [], fn, [...at, i]));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStringsAt(v, [], fn, [...at, k])]));
    return value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') return value.map((v, i) => (i === head ? mapStringsAt(v, rest, fn, [...at, i]) : v));
  if (isObject(value) && typeof head === 'string' && Object.hasOwn(value, head)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === head ? mapStringsAt(v, rest, fn, [...at, k]) : v]));
  }
  return value;
}

export function isSealed(text: unknown): text is string {
  return typeof text === 'string' && text.startsWith(SEALED_PREFIX);
}

/** The keys that seal (the first) and open (any) secrets. */
export interface SecretKeys {
  current: SecretKey;
  all: readonly SecretKey[];
}

/**
 * Seals the writeOnly values of a config. A value sent back as the mask keeps the sealed
 * value `previous` has at the same place (editing a form must not wipe a secret); a value
 * that is already sealed is kept as is. `aad` binds the sealed values to their owner.
 */
export function sealConfigSecrets(config: Json, schema: unknown, keys: SecretKeys, aad: string, previous?: Json): Json {
  let out = config;
  for (const path of writeOnlyPaths(schema, config)) {
    out = mapStringsAt(out, path, (s, at) => {
      if (isSealed(s)) return s;
      if (s === MASK) {
        const before = getAt(previous, at);
        return isSealed(before) ? before : s;
      }
      return SEALED_PREFIX + sealSecret(s, keys.current, aad);
    });
  }
  return out;
}

/** Replaces every sealed value with the mask, for API answers and logs. */
export function maskConfigSecrets(config: Json): Json {
  if (isSealed(config)) return MASK;
  if (Array.isArray(config)) return config.map(maskConfigSecrets);
  if (isObject(config)) return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, maskConfigSecrets(v)]));
  return config;
}

/** Opens every sealed value (in the process about to use it); throws SecretKeyError when a key is missing. */
export function openConfigSecrets(config: Json, keys: SecretKeys, aad: string): Json {
  if (isSealed(config)) return openSecret(config.slice(SEALED_PREFIX.length), keys.all, aad);
  if (Array.isArray(config)) return config.map((v) => openConfigSecrets(v, keys, aad));
  if (isObject(config)) return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, openConfigSecrets(v, keys, aad)]));
  return config;
}

/** Whether any value under `config` is sealed. */
export function hasSealed(config: Json): boolean {
  if (isSealed(config)) return true;
  if (Array.isArray(config)) return config.some(hasSealed);
  if (isObject(config)) return Object.values(config).some(hasSealed);
  return false;
}
