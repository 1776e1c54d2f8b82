// Media types (RFC 2045/2046 syntax, as used by HTTP's Content-Type and by the CloudEvents
// `datacontenttype` attribute). The binding needs them twice: to choose the content mode from
// Content-Type, and to validate `datacontenttype`; both use this one parser so they can never
// disagree about what a media type is.

export interface MediaType {
  /** Lower-cased `type`. */
  type: string;
  /** Lower-cased `subtype`. */
  subtype: string;
  /** Lower-cased `type/subtype`, without parameters. */
  essence: string;
  /** Parameters by lower-cased name; values unquoted, case kept. */
  params: Map<string, string>;
}

// RFC 2045 token: any US-ASCII except space, controls and tspecials `()<>@,;:\"/[]?=`.
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
// HTTP optional whitespace around `;` (RFC 7231 media-type).
const OWS = /[ \t]*/y;

/** Parses a media type expression; undefined when it does not follow the RFC 2045 grammar. */
export function parseMediaType(value: string): MediaType | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const semi = value.indexOf(';');
  const head = (semi < 0 ? value : value.slice(0, semi)).trimEnd();
  const type = head.slice(0, slash);
  const subtype = head.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const params = new Map<string, string>();
  if (semi >= 0 && !parseParams(value, semi, params)) return undefined;
  const lowerType = type.toLowerCase();
  const lowerSubtype = subtype.toLowerCase();
  return { type: lowerType, subtype: lowerSubtype, essence: `${lowerType}/${lowerSubtype}`, params };
}

// Parses `*( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )` from `start` (a `;`).
// Empty parameters (`text/plain;`) are tolerated because common clients send them.
function parseParams(value: string, start: number, out: Map<string, string>): boolean {
  let i = start;
  while (i < value.length) {
    if (value[i] !== ';') return false;
    i = skipOws(value, i + 1);
    if (i >= value.length || value[i] === ';') continue;
    const eq = value.indexOf('=', i);
    if (eq < 0) return false;
    const name = value.slice(i, eq);
    if (!TOKEN.test(name)) return false;
    i = eq + 1;
    let paramValue: string;
    if (value[i] === '"') {
      const quoted = readQuotedString(value, i);
      if (!quoted) return false;
      paramValue = quoted.value;
      i = quoted.end;
    } else {
      let end = i;
      while (end < value.length && value[end] !== ';' && value[end] !== ' ' && value[end] !== '\t') end++;
      paramValue = value.slice(i, end);
      if (!TOKEN.test(paramValue)) return false;
      i = end;
    }
    out.set(name.toLowerCase(), paramValue);
    i = skipOws(value, i);
  }
  return true;
}

function skipOws(value: string, from: number): number {
  OWS.lastIndex = from;
  OWS.test(value);
  return OWS.lastIndex;
}

/**
 * Reads an RFC 7230 quoted-string starting at `start` (a `"`): backslash escapes one character.
 * Returns the unescaped value and the index after the closing quote, or undefined when the
 * string is unterminated or holds a control character.
 */
export function readQuotedString(value: string, start: number): { value: string; end: number } | undefined {
  let out = '';
  for (let i = start + 1; i < value.length; i++) {
    let ch = value.charCodeAt(i);
    if (ch === 0x22) return { value: out, end: i + 1 };
    if (ch === 0x5c) {
      i++;
      if (i >= value.length) return undefined;
      ch = value.charCodeAt(i);
    }
    // qdtext / quoted-pair: HTAB, SP, visible ASCII and obs-text; never other controls.
    if ((ch < 0x20 && ch !== 0x09) || ch === 0x7f || ch > 0xff) return undefined;
    out += String.fromCharCode(ch);
  }
  return undefined;
}

/** True when the media type declares JSON content: `*\/json` or `*\/*+json` (JSON format §3.1). */
export function isJsonMediaType(media: MediaType): boolean {
  return media.subtype === 'json' || media.subtype.endsWith('+json');
}

const TEXTUAL_ESSENCES = new Set([
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-www-form-urlencoded',
  'application/yaml',
  'application/x-yaml',
  'application/graphql',
  'application/sql',
]);

/**
 * True when the media type is text a JSON document can carry as a string: `text/*`, XML, YAML,
 * form-encoded and a few other well-known textual `application/*` types.
 */
export function isTextualMediaType(media: MediaType): boolean {
  return (
    media.type === 'text' ||
    TEXTUAL_ESSENCES.has(media.essence) ||
    media.subtype.endsWith('+xml') ||
    media.subtype.endsWith('+yaml')
  );
}
