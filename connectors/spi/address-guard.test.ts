// isAddressAllowed: the SSRF guard's verdict on one resolved address, with and without the
// operator's allow-list; parseCidrList: reading that allow-list.

import { describe, expect, it } from 'vitest';
import { isAddressAllowed, parseCidrList } from './address-guard.ts';

describe('isAddressAllowed without an allow-list', () => {
  const denied: [address: string, what: string][] = [
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'IPv4 loopback, end of the block'],
    ['0.0.0.0', '"this host"'],
    ['0.1.2.3', '"this network"'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8, last address'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.254', 'private 172.16/12, end of the block'],
    ['192.168.1.10', 'private 192.168/16'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'Alibaba Cloud metadata (in CGNAT space)'],
    ['169.254.0.1', 'IPv4 link-local'],
    ['169.254.169.254', 'cloud metadata service'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['0:0:0:0:0:0:0:1', 'IPv6 loopback, written out'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf:ffff::1', 'IPv6 link-local, end of the block'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fd00:ec2::254', 'AWS IPv6 metadata service'],
    ['ff02::1', 'IPv6 multicast'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::FFFF:10.1.2.3', 'IPv4-mapped private, upper case'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback in hex form (as URL parsing writes it)'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata service in hex form'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped 192.168.1.1, written out'],
  ];
  it.each(denied)('refuses %s (%s)', (address) => {
    expect(isAddressAllowed(address)).toBe(false);
  });

  const allowed: [address: string, what: string][] = [
    ['8.8.8.8', 'public DNS'],
    ['1.1.1.1', 'public DNS'],
    ['93.184.215.14', 'a public web server'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.1', 'just above 172.16/12'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.1', 'just above CGNAT'],
    ['169.253.255.255', 'just below link-local'],
    ['11.0.0.1', 'just above 10/8'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['2001:4860:4860::8888', 'public IPv6'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['::ffff:808:808', 'IPv4-mapped public in hex form'],
  ];
  it.each(allowed)('allows %s (%s)', (address) => {
    expect(isAddressAllowed(address)).toBe(true);
  });

  it.each(['localhost', 'example.com', '', '1.2.3', '256.1.1.1', '::g', '[::1]', '127.0.0.1:80', ' 8.8.8.8'])('refuses %j, which is not an IP address', (address) => {
    expect(isAddressAllowed(address)).toBe(false);
  });
});

describe('isAddressAllowed with an allow-list', () => {
  const allow = parseCidrList('127.0.0.0/8, ::1/128 10.1.2.3');

  it.each([
    ['127.0.0.1', true],
    ['127.9.9.9', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::1', true],
    ['10.1.2.3', true],
    ['10.1.2.4', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['fd00:ec2::254', false],
    ['fe80::1', false],
    ['8.8.8.8', true],
  ] as [string, boolean][])('answers %s with %s', (address, ok) => {
    expect(isAddressAllowed(address, allow)).toBe(ok);
  });

  it('does not carry an IPv4 allowance over to unrelated IPv6 addresses', () => {
    const v4 = parseCidrList('0.0.0.0/0');
    expect(isAddressAllowed('10.0.0.1', v4)).toBe(true);
    expect(isAddressAllowed('fd00::1', v4)).toBe(false);
    expect(isAddressAllowed('::1', v4)).toBe(false);
  });
});

describe('parseCidrList', () => {
  it('reads CIDRs and single addresses separated by commas and white space', () => {
    const list = parseCidrList(' 192.168.0.0/16,\n\t10.0.0.7  fd00::/8,::1 ');
    expect(list.check('192.168.44.1', 'ipv4')).toBe(true);
    expect(list.check('192.169.0.1', 'ipv4')).toBe(false);
    expect(list.check('10.0.0.7', 'ipv4')).toBe(true);
    expect(list.check('10.0.0.8', 'ipv4')).toBe(false);
    expect(list.check('fd12::1', 'ipv6')).toBe(true);
    expect(list.check('::1', 'ipv6')).toBe(true);
    expect(list.check('::2', 'ipv6')).toBe(false);
  });

  it('reads an empty list as allowing nothing', () => {
    const list = parseCidrList(' , ');
    expect(list.check('127.0.0.1', 'ipv4')).toBe(false);
  });

  it.each([
    ['localhost', /not an IP address or CIDR: "localhost"/],
    ['10.0.0/8', /not an IP address or CIDR/],
    ['300.0.0.0/8', /not an IP address or CIDR/],
    ['10.0.0.0/33', /bad prefix length in "10.0.0.0\/33"/],
    ['10.0.0.0/-1', /bad prefix length/],
    ['10.0.0.0/abc', /bad prefix length/],
    ['10.0.0.0/1.5', /bad prefix length/],
    ['::1/129', /bad prefix length/],
    ['127.0.0.0/8, nope', /"nope"/],
  ])('refuses %j', (text, message) => {
    expect(() => parseCidrList(text)).toThrow(message);
  });

  // Bug: Number('') is 0, so "127.0.0.1/" (a typo) becomes 127.0.0.1/0 and allows every
  // IPv4 address, metadata service included (isAddressAllowed('169.254.169.254', list) is
  // true); "10.0.0.0/8/9" silently drops "/9".
  it.each(['127.0.0.1/', '10.0.0.0/8/9', '::1/'])('refuses the malformed CIDR %j', (text) => {
    expect(() => parseCidrList(text)).toThrow();
  });
});
