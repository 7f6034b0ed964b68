import { addressKeyOf, clientAddressOf } from './client-address.js';

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}, socket: { remoteAddress } }) as Parameters<typeof clientAddressOf>[0];

describe('clientAddressOf', () => {
  it('takes the peer address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddressOf(request('::ffff:10.0.0.9', '1.2.3.4'), 0)).toBe('10.0.0.9');
  });

  it('takes the address the outermost trusted proxy saw', () => {
    expect(clientAddressOf(request('10.0.0.9', '6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientAddressOf(request('10.0.0.9', '6.6.6.6, 1.2.3.4, 10.0.0.8'), 2)).toBe('1.2.3.4');
  });

  it('stops at the farthest address known when fewer proxies forwarded than are trusted', () => {
    expect(clientAddressOf(request('10.0.0.9', '1.2.3.4'), 3)).toBe('1.2.3.4');
    expect(clientAddressOf(request('10.0.0.9'), 2)).toBe('10.0.0.9');
  });
});

describe('addressKeyOf', () => {
  it('counts an IPv4 address as itself', () => {
    expect(addressKeyOf('203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts every address of an IPv6 /64 as one', () => {
    const key = addressKeyOf('2001:db8:1:2::1');
    expect(addressKeyOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(addressKeyOf('2001:db8:1:2:0:0:0:1%eth0')).toBe(key);
    expect(key).toBe('2001:db8:1:2::/64');
    expect(addressKeyOf('2001:db8:1:3::1')).not.toBe(key);
  });

  it('handles the compressed and IPv4-embedded forms', () => {
    expect(addressKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(addressKeyOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKeyOf('fe80::')).toBe('fe80:0:0:0::/64');
  });
});
