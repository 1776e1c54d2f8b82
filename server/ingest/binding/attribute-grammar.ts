// The string grammars of the CloudEvents type system (spec §Type System): Timestamp (RFC 3339),
// URI and URI-reference (RFC 3986), String (allowed Unicode characters) and Binary (RFC 4648
// base64). Each is written from its RFC's ABNF so that validation does not depend on what a
// runtime's lenient parser (Date.parse, new URL) happens to accept.

import { isIPv6 } from 'node:net';

// RFC 3339 §5.6: full-date "T" full-time, time-offset required. "T" and "Z" may be lower case
// (§5.6 note; ABNF literals are case-insensitive). The space separator of the §5.6 note is not
// part of the ABNF, so it is rejected.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** True when `value` is an RFC 3339 date-time with an offset, with every field in range. */
export function isRfc3339Timestamp(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  let offsetMinutes = 0;
  if (!m[7]) {
    const offHour = Number(m[9]);
    const offMinute = Number(m[10]);
    if (offHour > 23 || offMinute > 59) return false;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offHour * 60 + offMinute);
  }
  if (second === 60) {
    // A leap second is only ever inserted as 23:59:60 UTC (RFC 3339 §5.7); whether that day
    // really had one is not knowable from the grammar, so any date is accepted.
    const utcMinuteOfDay = (((hour * 60 + minute - offsetMinutes) % 1440) + 1440) % 1440;
    if (utcMinuteOfDay !== 23 * 60 + 59) return false;
  }
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// RFC 3986 §2-3 character classes, as regex fragments.
const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED_SUB = "A-Za-z0-9\\-._~!$&'()*+,;=";
const PCHAR = `(?:[${UNRESERVED_SUB}:@]|${PCT})`;
const SEGMENT = `${PCHAR}*`;
const SEGMENT_NZ_NC = `(?:[${UNRESERVED_SUB}@]|${PCT})+`;
const QUERY = `(?:${PCHAR}|[/?])*`;
const SCHEME = '[A-Za-z][A-Za-z0-9+\\-.]*';
const USERINFO = `(?:[${UNRESERVED_SUB}:]|${PCT})*`;
const REG_NAME = `(?:[${UNRESERVED_SUB}]|${PCT})*`;
// IP-literal contents are checked separately (IPv6 by node:net, IPvFuture by regex).
const IP_LITERAL = '\\[[^\\]\\[/?#@]*\\]';
const AUTHORITY = `(?:(${USERINFO})@)?(${IP_LITERAL}|${REG_NAME})(?::[0-9]*)?`;
const PATH_ABEMPTY = `(?:/${SEGMENT})*`;
const PATH_ABSOLUTE = `/(?:${PCHAR}+(?:/${SEGMENT})*)?`;
const PATH_ROOTLESS = `${PCHAR}+(?:/${SEGMENT})*`;
const PATH_NOSCHEME = `${SEGMENT_NZ_NC}(?:/${SEGMENT})*`;

const HIER_PART = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${PATH_ROOTLESS}|)`;
const RELATIVE_PART = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${PATH_NOSCHEME}|)`;

// §4.3 absolute-URI = scheme ":" hier-part [ "?" query ]   (no fragment)
const ABSOLUTE_URI = new RegExp(`^${SCHEME}:${HIER_PART}(?:\\?${QUERY})?$`);
// §4.1 URI-reference = URI / relative-ref
const URI_REFERENCE = new RegExp(
  `^(?:${SCHEME}:${HIER_PART}|${RELATIVE_PART})(?:\\?${QUERY})?(?:#${QUERY})?$`,
);
const IP_LITERAL_IN_AUTHORITY = /^[^/?#]*\/\/(?:[^@/?#]*@)?\[([^\]]*)\]/;
const IPV_FUTURE = new RegExp(`^[vV][0-9A-Fa-f]+\\.[${UNRESERVED_SUB}:]+$`);

/** True when `value` is a URI-reference (RFC 3986 §4.1): an absolute URI or a relative reference. */
export function isUriReference(value: string): boolean {
  return URI_REFERENCE.test(value) && hasValidIpLiteral(value);
}

/** True when `value` is an absolute URI (RFC 3986 §4.3): a scheme, no fragment. */
export function isAbsoluteUri(value: string): boolean {
  return ABSOLUTE_URI.test(value) && hasValidIpLiteral(value);
}

function hasValidIpLiteral(value: string): boolean {
  const literal = IP_LITERAL_IN_AUTHORITY.exec(value)?.[1];
  if (literal === undefined) return true;
  // RFC 3986 has no zone identifiers, so a `%` inside the brackets is never valid.
  return IPV_FUTURE.test(literal) || (!literal.includes('%') && isIPv6(literal));
}

/**
 * The first character a CloudEvents String must not contain (spec §Type System): C0/C1
 * controls, Unicode noncharacters, unpaired surrogates. Undefined when the string is allowed.
 */
export function findDisallowedCharacter(value: string): { index: number; codePoint: number } | undefined {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // Fast path: printable ASCII is by far the common case.
    if (unit >= 0x20 && unit < 0x7f) continue;
    let cp = unit;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return { index: i, codePoint: unit };
      cp = (unit - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
      if (isNoncharacter(cp)) return { index: i, codePoint: cp };
      i++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return { index: i, codePoint: unit };
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || isNoncharacter(cp)) return { index: i, codePoint: cp };
  }
  return undefined;
}

function isNoncharacter(cp: number): boolean {
  return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `value` is base64 per RFC 4648 §4: standard alphabet, padded, no whitespace. */
export function isBase64(value: string): boolean {
  return BASE64.test(value);
}
