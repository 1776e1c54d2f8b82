// The subset of JSON Schema (draft-07) the editor draws forms from: what connectors and
// node kinds declare (types, titles, descriptions, defaults, enums, examples, nested
// objects, maps, arrays, oneOf/anyOf alternatives, write-only secrets).

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  const?: unknown;
  examples?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
  format?: string;
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
}

export type SchemaKind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'map' | 'array' | 'choice' | 'json';

function asSchema(s: unknown): JsonSchema {
  return typeof s === 'object' && s !== null ? (s as JsonSchema) : {};
}

/** How a schema is edited: a scalar input, a nested object, a key/value map, a list, one of alternatives, or raw JSON. */
export function schemaKind(schemaLike: unknown): SchemaKind {
  const s = asSchema(schemaLike);
  if (s.oneOf?.length || s.anyOf?.length) return 'choice';
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (s.enum && !type) return 'string';
  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return type;
    case 'array':
      return s.items ? 'array' : 'json';
    case 'object':
      if (s.properties && Object.keys(s.properties).length) return 'object';
      if (typeof s.additionalProperties === 'object') return 'map';
      return 'json';
    default:
      return 'json';
  }
}

/** Whether a value is a secret: shown as a password field and never echoed back. */
export function isSecret(schemaLike: unknown): boolean {
  const s = asSchema(schemaLike);
  return s.writeOnly === true || s.format === 'password';
}

/** The alternatives of a oneOf/anyOf schema. */
export function alternativesOf(schemaLike: unknown): JsonSchema[] {
  const s = asSchema(schemaLike);
  return [...(s.oneOf ?? s.anyOf ?? [])].map(asSchema);
}

/** The alternative a value belongs to: the first whose required properties it has (or whose type fits); -1 when none. */
export function pickAlternative(alternatives: readonly JsonSchema[], value: unknown): number {
  if (value === undefined) return -1;
  const isObj = typeof value === 'object' && value !== null && !Array.isArray(value);
  let fallback = -1;
  for (let i = 0; i < alternatives.length; i++) {
    const alt = alternatives[i]!;
    const kind = schemaKind(alt);
    if (isObj && (kind === 'object' || kind === 'map' || kind === 'json')) {
      const req = alt.required ?? [];
      if (req.length && req.every((k) => Object.hasOwn(value, k))) return i;
      if (!req.length && fallback === -1) fallback = i;
    } else if (!isObj && typeof value === (kind === 'integer' ? 'number' : kind)) {
      return i;
    }
  }
  return fallback;
}

/**
 * The value a new field starts with: the default when there is one; for objects, their
 * required properties' starting values. Undefined where the user must choose.
 */
export function initialValue(schemaLike: unknown): unknown {
  const s = asSchema(schemaLike);
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  const kind = schemaKind(s);
  if (kind === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of s.required ?? []) {
      const v = initialValue(s.properties?.[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  if (kind === 'map') return {};
  if (kind === 'array') return [];
  if (kind === 'choice') {
    const first = alternativesOf(s)[0];
    return first ? initialValue(first) : undefined;
  }
  return undefined;
}

/** A one-line example or default to show as a placeholder. */
export function placeholderFor(schemaLike: unknown): string {
  const s = asSchema(schemaLike);
  const v = s.default !== undefined && s.default !== '' ? s.default : s.examples?.[0];
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A label from the title, else from the property name (`maxAttempts` → "Max attempts"). */
export function labelFor(name: string, schemaLike: unknown): string {
  const s = asSchema(schemaLike);
  if (s.title) return s.title;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1).toLowerCase() : name;
}
