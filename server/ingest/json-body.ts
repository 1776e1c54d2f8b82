import { FlowbridgeError } from '../../flows/error-codes.ts';

/** Deepest JSON nesting accepted at the door; deeper documents are refused before parsing. */
export const MAX_JSON_DEPTH = 128;

/** The maximum nesting depth of a JSON text (strings skipped), stopping early past `stopAt`. */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Parses a JSON request body with a depth limit; throws ERR_BODY_INVALID_JSON with the parser's reason. */
export function parseJsonBody(body: Buffer, maxDepth = MAX_JSON_DEPTH): unknown {
  const text = body.toString('utf8');
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new FlowbridgeError('ERR_BODY_INVALID_JSON', `The JSON body is nested deeper than ${maxDepth} levels`, [{ maxDepth }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FlowbridgeError('ERR_BODY_INVALID_JSON', `The request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Whether a media type is JSON (`application/json` or any `+json` suffix). */
export function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json') || type === 'text/json';
}
