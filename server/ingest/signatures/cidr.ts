// IP addresses and CIDR blocks for the webhook allow-list. Every address is held as 16 bytes,
// IPv4 as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so that a dual-stack socket's
// "::ffff:10.1.2.3" and a plain "10.1.2.3" are the same address, and "10.0.0.0/8" matches both.

export interface Cidr {
  /** The network address, 16 bytes. */
  bytes: Uint8Array;
  /** Prefix length over the 16 bytes: an IPv4 /n is 96 + n. */
  prefix: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/**
 * Parses an IPv4 or IPv6 address (with `::`, an embedded IPv4 tail, or a `%zone` that is
 * ignored) into 16 bytes; undefined when it is not an address. IPv4 octets with leading
 * zeros are refused, since some parsers read them as octal.
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  const v4 = parseIpv4(text);
  if (v4) return mapIpv4(v4);
  const zone = text.indexOf('%');
  return parseIpv6(zone >= 0 ? text.slice(0, zone) : text);
}

function parseIpv4(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : undefined;
}

function mapIpv4(octets: number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(octets, 12);
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups: number[] = [];
  const tailGroups: number[] = [];
  if (!readGroups(head, groups, halves.length === 1) || !readGroups(tail, tailGroups, true)) return undefined;
  const total = groups.length + tailGroups.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...groups, ...new Array<number>(8 - total).fill(0), ...tailGroups];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

// Reads colon-separated hex groups; the last part may be a dotted IPv4 address (two groups)
// when `mayEndInIpv4` holds, i.e. when nothing follows this part of the address.
function readGroups(parts: string[], out: number[], mayEndInIpv4: boolean): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (HEX_GROUP.test(part)) {
      out.push(parseInt(part, 16));
      continue;
    }
    const v4 = i === parts.length - 1 && mayEndInIpv4 ? parseIpv4(part) : undefined;
    if (!v4) return false;
    out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
  }
  return true;
}

/** Parses `address/prefix` (or a bare address, meaning a single host); undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  // A zone makes no sense in a network block.
  if (addressText.includes('%')) return undefined;
  const isV4 = parseIpv4(addressText) !== undefined;
  const bytes = parseIpAddress(addressText);
  if (!bytes) return undefined;
  const max = isV4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    length = Number(prefixText);
    if (length > max) return undefined;
  }
  return { bytes, prefix: isV4 ? 96 + length : length };
}

/** True when the 16-byte address lies in the block. Host bits of the block are ignored. */
export function isInCidr(address: Uint8Array, cidr: Cidr): boolean {
  const fullBytes = cidr.prefix >> 3;
  for (let i = 0; i < fullBytes; i++) if (address[i] !== cidr.bytes[i]) return false;
  const restBits = cidr.prefix & 7;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return ((address[fullBytes] as number) & mask) === ((cidr.bytes[fullBytes] as number) & mask);
}

/**
 * Compiles an allow-list once; the returned function says whether an address (as a socket
 * reports it) is in any block. Throws when a block does not parse.
 */
export function createCidrMatcher(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const blocks = cidrs.map((text) => {
    const block = parseCidr(text.trim());
    if (!block) throw new Error(`${JSON.stringify(text)} is not an IPv4 or IPv6 address or CIDR block`);
    return block;
  });
  return (address) => {
    const bytes = address === undefined ? undefined : parseIpAddress(address);
    return bytes !== undefined && blocks.some((block) => isInCidr(bytes, block));
  };
}
