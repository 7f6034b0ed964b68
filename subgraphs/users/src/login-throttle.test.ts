import { addressBlockOf } from './login-throttle.js';

describe('the address block the per-address throttle counts', () => {
  it('is an IPv4 address itself, also written IPv4-mapped', () => {
    expect(addressBlockOf('192.0.2.7')).toBe('192.0.2.7');
    expect(addressBlockOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it("is an IPv6 address's /64, however the address is written", () => {
    expect(addressBlockOf('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(addressBlockOf('2001:0db8:0000:0001:abcd:ef01:2345:6789')).toBe('2001:db8:0:1::/64');
    expect(addressBlockOf('2001:DB8:0:1:FFFF::')).toBe('2001:db8:0:1::/64');
    expect(addressBlockOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBlockOf('::1')).toBe('0:0:0:0::/64');
    expect(addressBlockOf('2001:db8:0:2::1')).not.toBe(addressBlockOf('2001:db8:0:1::1'));
  });

  it('is nothing without an address', () => {
    expect(addressBlockOf(undefined)).toBeNull();
  });
});
