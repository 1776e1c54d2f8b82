import dns from 'node:dns';
import net from 'node:net';

// Outgoing calls must not reach inside the network unless the operator allows it: a flow
// author could otherwise make flowbridge call a metadata service or an internal admin
// API. Checked on the resolved address, so a DNS name cannot sneak past.
const DENIED: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
];

export class AddressRefusedError extends Error {
  readonly address: string;
  constructor(host: string, address: string) {
    super(`refused to connect to ${host} (${address}): private, loopback and link-local addresses are not allowed; see FLOWBRIDGE_ALLOW_PRIVATE_TARGETS`);
    this.name = 'AddressRefusedError';
    this.address = address;
  }
}

/** Parses a CIDR list such as "127.0.0.0/8, ::1/128" into a BlockList; throws on a bad entry. */
export function parseCidrList(list: string): net.BlockList {
  const block = new net.BlockList();
  for (const raw of list.split(/[\s,]+/).filter(Boolean)) {
    const parts = raw.split('/');
    const [addr, bits] = parts;
    const family = net.isIP(addr ?? '');
    // A typo must never widen the list: "127.0.0.1/" is not "/0".
    if (!family || parts.length > 2) throw new Error(`not an IP address or CIDR: "${raw}"`);
    if (bits !== undefined && !/^\d{1,3}$/.test(bits)) throw new Error(`bad prefix length in "${raw}"`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`bad prefix length in "${raw}"`);
    block.addSubnet(addr!, prefix, type);
  }
  return block;
}

const denied = new net.BlockList();
for (const [addr, bits, type] of DENIED) denied.addSubnet(addr, bits, type);

/** Whether an outgoing connection to `address` (an IP) is allowed, given the operator's allow-list. */
export function isAddressAllowed(address: string, allow?: net.BlockList): boolean {
  const family = net.isIP(address);
  if (!family) return false;
  let type: 'ipv4' | 'ipv6' = family === 4 ? 'ipv4' : 'ipv6';
  let addr = address;
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    addr = mapped[1]!;
    type = 'ipv4';
  }
  if (allow?.check(addr, type)) return true;
  return !denied.check(addr, type);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `dns.lookup` replacement for sockets that fails when any resolved address is not allowed. */
export function createGuardedLookup(allow?: net.BlockList) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !isAddressAllowed(a.address, allow));
      if (bad) return callback(Object.assign(new AddressRefusedError(hostname, bad.address), { code: 'EADDRREFUSED' }), '');
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}
