import { describe, expect, it } from 'vitest';
import { createCidrMatcher, parseCidr, parseIpAddress } from './cidr.ts';

const hex = (bytes: Uint8Array | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('hex') : undefined);

describe('parseIpAddress', () => {
  it.each([
    ['an IPv4 address, as IPv4-mapped IPv6', '192.0.2.1', '00000000000000000000ffffc0000201'],
    ['the IPv4-mapped form of the same address', '::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['the long IPv4-mapped form', '0:0:0:0:0:ffff:c000:0201', '00000000000000000000ffffc0000201'],
    ['the unspecified address', '::', '00000000000000000000000000000000'],
    ['loopback', '::1', '00000000000000000000000000000001'],
    ['a compressed address', '2001:db8::8:800:200c:417a', '20010db8000000000008080020 0c417a'.replace(' ', '')],
    ['a full address in upper case', '2001:0DB8:0000:0000:0000:0000:0000:0001', '20010db8000000000000000000000001'],
    ['a trailing ::', 'fe80::', 'fe800000000000000000000000000000'],
    ['a link-local address with a zone', 'fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['an address with an embedded IPv4 tail after ::', '64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
  ])('parses %s', (_name, text, expected) => {
    expect(hex(parseIpAddress(text))).toBe(expected);
  });

  it.each([
    ['an octet above 255', '256.0.0.1'],
    ['an octet with a leading zero', '010.0.0.1'],
    ['three octets', '10.0.1'],
    ['two ::', '1::2::3'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['seven groups without ::', '1:2:3:4:5:6:7'],
    ['a group of five digits', '12345::'],
    ['an IPv4 part before ::', '1.2.3.4::'],
    ['a single leading colon', ':1:2:3:4:5:6:7'],
    ['a host name', 'example.com'],
    ['the empty string', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('stores an IPv4 prefix as 96 plus its length', () => {
    expect(parseCidr('10.0.0.0/8')?.prefix).toBe(104);
  });

  it('treats a bare address as a single host', () => {
    expect(parseCidr('10.0.0.1')?.prefix).toBe(128);
    expect(parseCidr('2001:db8::1')?.prefix).toBe(128);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/08x', 'fe80::1%eth0/64', 'x/8'])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('createCidrMatcher', () => {
  it.each([
    [['10.0.0.0/8'], '10.255.255.255', true],
    [['10.0.0.0/8'], '11.0.0.0', false],
    [['10.0.0.0/8'], '::ffff:10.1.2.3', true],
    [['192.168.1.128/25'], '192.168.1.128', true],
    [['192.168.1.128/25'], '192.168.1.127', false],
    [['172.16.0.0/12'], '172.31.255.255', true],
    [['172.16.0.0/12'], '172.32.0.0', false],
    [['0.0.0.0/0'], '203.0.113.1', true],
    [['0.0.0.0/0'], '2001:db8::1', false],
    [['::/0'], '2001:db8::1', true],
    [['::ffff:0:0/96'], '198.51.100.1', true],
    [['2001:db8::/32'], '2001:db8:ffff::1', true],
    [['2001:db8::/32'], '2001:db9::1', false],
    [['2001:db8::/33'], '2001:db8:7fff::1', true],
    [['2001:db8::/33'], '2001:db8:8000::1', false],
    [['fe80::/10'], 'fe80::1%eth0', true],
    [['::1'], '::1', true],
    [['::1'], '127.0.0.1', false],
    [['10.1.2.3/8'], '10.9.9.9', true],
    [['10.0.0.0/8', '2001:db8::/32'], '2001:db8::5', true],
  ] as const)('with %j, %s is matched: %s', (cidrs, address, expected) => {
    expect(createCidrMatcher(cidrs)(address)).toBe(expected);
  });

  it('matches nothing for an unknown or unparsable address', () => {
    const allows = createCidrMatcher(['0.0.0.0/0', '::/0']);
    expect(allows(undefined)).toBe(false);
    expect(allows('not-an-ip')).toBe(false);
  });

  it('refuses to compile a block that does not parse', () => {
    expect(() => createCidrMatcher(['10.0.0.0/8', 'nope'])).toThrow(/"nope"/);
  });
});
