// Validation of one CloudEvent in its structured JSON form, to CloudEvents 1.0.2 and its JSON
// event format. Every rule here is a MUST of the spec; SHOULDs (reverse-DNS types, absolute
// sources, attribute names of at most 20 characters) are left to producers.

import type { ErrorCode, Problem } from '../../../flows/error-codes.ts';
import {
  findDisallowedCharacter,
  isAbsoluteUri,
  isBase64,
  isRfc3339Timestamp,
  isUriReference,
} from './attribute-grammar.ts';
import { parseMediaType } from './media-type.ts';

const INVALID: ErrorCode = 'ERR_INGEST_INVALID_EVENT';
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

// The core attributes are all String-typed in JSON (URI, URI-reference and Timestamp are
// strings too); each entry adds the check beyond "a string without disallowed characters".
// A Map, not an object literal: an extension may well be called "constructor".
const CORE_CHECKS = new Map<string, (value: string) => string | undefined>([
  ['specversion', (v) => (v === '1.0' ? undefined : `must be "1.0" (flowbridge accepts CloudEvents 1.0 only); found ${quote(v)}`)],
  ['id', (v) => (v === '' ? 'must be a non-empty string' : undefined)],
  ['type', (v) => (v === '' ? 'must be a non-empty string' : undefined)],
  ['subject', (v) => (v === '' ? 'must be a non-empty string when present' : undefined)],
  [
    'source',
    (v) =>
      v === '' ? 'must be a non-empty URI-reference' : isUriReference(v) ? undefined : `must be a URI-reference (RFC 3986 §4.1); found ${quote(v)}`,
  ],
  [
    'dataschema',
    (v) => (isAbsoluteUri(v) ? undefined : `must be an absolute URI (RFC 3986 §4.3: a scheme and no fragment); found ${quote(v)}`),
  ],
  [
    'time',
    (v) =>
      isRfc3339Timestamp(v) ? undefined : `must be an RFC 3339 timestamp with an offset, like 2018-04-05T17:31:00Z; found ${quote(v)}`,
  ],
  [
    'datacontenttype',
    (v) => (parseMediaType(v) ? undefined : `must be a media type (RFC 2046), like application/json; found ${quote(v)}`),
  ],
]);

/**
 * Validates one structured-form CloudEvent (a parsed JSON value) to CloudEvents 1.0.2.
 * Returns every problem found, each with the attribute as path (prefixed by `basePath`);
 * an empty list means the event is valid. JSON `null` attributes count as absent.
 */
export function validateCloudEvent(event: unknown, basePath = ''): Problem[] {
  const at = (name: string): string => (basePath ? `${basePath}.${name}` : name);
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return [{ code: INVALID, path: basePath, message: `a CloudEvent must be a JSON object; found ${describeJsonType(event)}` }];
  }
  const record = event as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const name of REQUIRED) {
    if (!Object.hasOwn(record, name) || record[name] === null) {
      problems.push({ code: INVALID, path: at(name), message: `the required attribute "${name}" is missing` });
    }
  }
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (name === 'data') continue;
    if (name === 'data_base64') {
      const problem = checkDataBase64(value, Object.hasOwn(record, 'data'));
      if (problem) problems.push({ code: INVALID, path: at(name), message: problem });
      continue;
    }
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.push({
        code: INVALID,
        path: at(name),
        message: `${quote(name)} is not a valid attribute name: names consist of lower-case letters a-z and digits 0-9`,
      });
      continue;
    }
    if (value === null) continue;
    const problem = checkAttributeValue(name, value);
    if (problem) problems.push({ code: INVALID, path: at(name), message: problem });
  }
  return problems;
}

function checkDataBase64(value: unknown, hasData: boolean): string | undefined {
  if (value === null) return undefined;
  if (hasData) return '"data" and "data_base64" must not both be present';
  if (typeof value !== 'string') return `must be a base64 string; found ${describeJsonType(value)}`;
  if (!isBase64(value)) return 'must be base64 (RFC 4648 §4: standard alphabet, padded, no whitespace)';
  return undefined;
}

function checkAttributeValue(name: string, value: unknown): string | undefined {
  const core = CORE_CHECKS.get(name);
  if (typeof value === 'string') {
    const bad = findDisallowedCharacter(value);
    if (bad) {
      const cp = `U+${bad.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
      return `contains the character ${cp} at index ${bad.index}; CloudEvents strings exclude control characters, noncharacters and unpaired surrogates`;
    }
    return core?.(value);
  }
  if (core) return `must be a string; found ${describeJsonType(value)}`;
  // Extension attributes: the JSON mapping of Boolean, Integer and the string-encoded types.
  if (typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `must be an Integer; found the non-integer number ${String(value)}`;
    if (value < INT32_MIN || value > INT32_MAX) return `is outside the 32-bit Integer range (-2147483648 to 2147483647); found ${String(value)}`;
    return undefined;
  }
  return `must be a string, a boolean or an integer; found ${describeJsonType(value)} (attribute values cannot be objects or arrays)`;
}

/** `"value"`, shortened so that hostile input cannot blow up error messages. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The JSON type of a parsed value, for messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  return typeof value;
}
