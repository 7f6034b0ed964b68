import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where the kernel hands out ports to listen(0) and to outgoing connections (Linux's default when unreadable). */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A free port for a server that a test must name before it starts (the gateway, whose address the
 * applications service puts into upload URLs). A port from listen(0) lies in the kernel's ephemeral
 * range, where any server or connection of the test files running beside it may get it before the
 * server listens; this one is below that range, where only explicit choices land.
 */
export async function portToListenOnLater(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between 10000 and ${below}`);
}
