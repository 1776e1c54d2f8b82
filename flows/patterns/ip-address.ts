// IP addresses as event-ruler sees them: a string is an IP address only when it has the
// shape of a dotted IPv4 or a colon IPv6 literal (no host names, no zone ids, no dotted
// IPv6 tails) and parses as one. Addresses become fixed-width upper-case hex strings
// (8 digits for IPv4, 32 for IPv6), so ranges compare as plain strings.

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** An inclusive range of addresses of one family, as hex strings of equal length. */
export interface IpRange {
  readonly low: string;
  readonly high: string;
}

/** Whether a string has the shape event-ruler treats as an IP literal (it may still not parse). */
export function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The address bytes of an IPv4 or IPv6 literal, or null when it is none; IPv4-mapped IPv6 gives 4 bytes. */
export function parseIpAddress(text: string): number[] | null {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return null;
}

/** The hex form of an IP literal, or null when the string is not one. */
export function ipAddressToHex(text: string): string | null {
  // Cheap first-character check: most event strings are not addresses.
  const first = text.charCodeAt(0);
  const maybe = (first >= 48 && first <= 58) || (first >= 65 && first <= 70) || (first >= 97 && first <= 102);
  if (!maybe) return null;
  const bytes = parseIpAddress(text);
  return bytes === null ? null : bytesToHex(bytes);
}

/**
 * Parses `address/bits` into the range it covers; throws an Error with event-ruler's reason.
 * Like event-ruler, the range starts at the address as written (host bits are not cleared).
 */
export function parseCidr(text: string): IpRange {
  const parts = splitLikeJava(text, '/');
  if (parts.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  const [addressText = '', bitsText = ''] = parts;
  const bits = parseJavaInt(bitsText);
  if (bits === null) throw new Error('Malformed CIDR, mask bits must be an integer');
  if (bits < 0) throw new Error('Malformed CIDR, mask bits must not be negative');
  const bytes = addressBytesOrThrow(addressText);
  if (bytes.length === 4 && bits > 31) throw new Error('IPv4 mask bits must be < 32');
  if (bytes.length === 16 && bits > 127) throw new Error('IPv6 mask bits must be < 128');
  const top = bytes.slice();
  let hostBits = bytes.length * 8 - bits;
  for (let i = top.length - 1; i >= 0 && hostBits > 0; i--, hostBits -= 8) {
    top[i] = (top[i] ?? 0) | (hostBits >= 8 ? 0xff : (1 << hostBits) - 1);
  }
  return { low: bytesToHex(bytes), high: bytesToHex(top) };
}

function addressBytesOrThrow(text: string): number[] {
  if (!looksLikeIpAddress(text)) throw new Error(`Nonstandard IP address: ${text}`);
  const bytes = parseIpAddress(text);
  if (bytes === null) throw new Error(`Invalid IP address: ${text}`);
  return bytes;
}

function parseIpv4(text: string): number[] | null {
  const bytes: number[] = [];
  for (const part of text.split('.')) {
    // Leading zeros are read as decimal, as Java's address parser does.
    const value = Number(part);
    if (!(value <= 255)) return null;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    // "::" stands for at least one zero group.
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  const bytes: number[] = [];
  for (const group of groups) bytes.push(group >> 8, group & 0xff);
  // Java hands back an IPv4 address for an IPv4-mapped IPv6 literal (::ffff:a.b.c.d).
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  return bytes;
}

function groupsOf(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return null;
    groups.push(parseInt(group, 16));
  }
  return groups;
}

function bytesToHex(bytes: readonly number[]): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out.toUpperCase();
}

/** Java's String.split: trailing empty strings are dropped. */
function splitLikeJava(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Java's Integer.parseInt: optional sign, decimal digits, 32-bit range; null when it would throw. */
function parseJavaInt(text: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(text)) return null;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : null;
}
