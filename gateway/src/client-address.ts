import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The client's address as Express's `trust proxy` with a hop count computes it: the socket's peer,
 * or the entry of X-Forwarded-For that the outermost trusted proxy saw. Used where a request does
 * not pass through Express (the WebSocket upgrade), so both paths agree on who the client is.
 */
export function clientAddressOf(request: Pick<IncomingMessage, 'headers' | 'socket'>, trustedProxies: number): string | undefined {
  const forwardedHeader = request.headers['x-forwarded-for'];
  const forwarded =
    trustedProxies > 0 && typeof forwardedHeader === 'string'
      ? forwardedHeader
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : [];
  // Nearest first: the peer, then each proxy's record of who called it.
  const chain = [request.socket.remoteAddress, ...forwarded.reverse()];
  return chain[Math.min(trustedProxies, chain.length - 1)]?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function ipv6Groups(address: string): string[] {
  let text = address.split('%')[0]!;
  const embeddedIPv4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embeddedIPv4) {
    const [a, b, c, d] = embeddedIPv4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, embeddedIPv4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  if (tail === undefined) return headGroups;
  const tailGroups = tail ? tail.split(':') : [];
  return [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
}

/**
 * The unit that per-address limits count: an IPv4 address, or an IPv6 /64, since one subscriber
 * line is routinely given a whole /64 and could otherwise take a fresh address per connection.
 */
export function addressKeyOf(address: string): string {
  if (!isIPv6(address)) return address;
  const prefix = ipv6Groups(address)
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
