import { describe, expect, it } from 'vitest';
import { ipAddressToHex, parseCidr } from './ip-address.ts';

describe('ipAddressToHex', () => {
  it.each([
    ['10.0.0.1', '0A000001'],
    ['255.255.255.255', 'FFFFFFFF'],
    ['010.000.000.001', '0A000001'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::1', '20010DB8000000000000000000000001'],
    ['2001:DB8:0:0:0:0:0:1', '20010DB8000000000000000000000001'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::ffff:a00:1', '0A000001'],
  ])('reads %s as %s', (text, hex) => {
    expect(ipAddressToHex(text)).toBe(hex);
  });

  it.each(['10.0.0', '10.0.0.256', '1.2.3.4.5', 'localhost', '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', '::ffff:10.0.0.1', '', 'fe80::1%eth0'])(
    'does not read %j as an address',
    (text) => {
      expect(ipAddressToHex(text)).toBeNull();
    },
  );
});

describe('parseCidr', () => {
  it('covers the block from the address as written to the last host', () => {
    expect(parseCidr('10.0.0.0/24')).toEqual({ low: '0A000000', high: '0A0000FF' });
    expect(parseCidr('10.0.0.5/24')).toEqual({ low: '0A000005', high: '0A0000FF' });
    expect(parseCidr('10.1.2.3/0')).toEqual({ low: '0A010203', high: 'FFFFFFFF' });
    expect(parseCidr('2001:db8::/32')).toEqual({ low: '20010DB8000000000000000000000000', high: '20010DB8FFFFFFFFFFFFFFFFFFFFFFFF' });
    expect(parseCidr('10.0.0.0/+8')).toEqual({ low: '0A000000', high: '0AFFFFFF' });
  });
});
