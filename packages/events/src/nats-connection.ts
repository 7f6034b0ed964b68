import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';

export type NatsIdentity = {
  /** The user and password to connect as; by default those in the URL (nats://user:password@host:port), if any. */
  user?: string;
  password?: string;
  /** Where replies arrive; a service's permissions allow only its own (natsInboxPrefixOf). */
  inboxPrefix?: string;
};

/** Splits nats://user:password@host:port into the server address and the credentials it carries. */
export function splitNatsUrl(url: string): { server: string; user?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { server: url };
  }
  if (!parsed.username) return { server: url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { server: parsed.toString().replace(/\/$/, ''), user, ...(password ? { password } : {}) };
}

/** nats://user:password@host:port: a server address with the credentials to connect with. */
export function natsUrlWithCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(splitNatsUrl(url).server);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString().replace(/\/$/, '');
}

/**
 * A NATS connection that never gives up reconnecting: a service outlives any nats-server restart,
 * and the outbox keeps events safe meanwhile. The client's default stops after ten attempts.
 * Credentials given in `identity` take the place of any in the URL.
 */
export async function connectToNats(url: string, name: string, identity: NatsIdentity = {}): Promise<NatsConnection> {
  const { server, ...inUrl } = splitNatsUrl(url);
  const user = identity.user ?? inUrl.user;
  const password = identity.user ? identity.password : inUrl.password;
  return connect({
    servers: server,
    name,
    ...(user ? { user, pass: password ?? '' } : {}),
    ...(identity.inboxPrefix ? { inboxPrefix: identity.inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    // Notice a dead server within seconds rather than minutes.
    pingInterval: 5_000,
    maxPingOut: 2,
    // Otherwise every request (each JetStream publish, each acknowledged ack) makes Error objects
    // with stack traces up front, in case it fails: about 3 % of the notifications service's CPU
    // while it made notifications (its relay publishing one event per in-app row). Errors still
    // say what failed; only where the request was made is lost.
    noAsyncTraces: true,
  });
}

export type NatsConnectionWatch = {
  /** Whether the connection is up; while it is not, events wait in the outbox. */
  isConnected(): boolean;
};

/**
 * Follows a connection's status: logs each loss and return, and reports it on the service's
 * Prometheus registry as the gauge `event_backbone_connected` (1 up, 0 down). A service stays
 * ready while NATS is away, so this gauge, not readiness, is what to alert on.
 */
export function watchNatsConnection(nats: NatsConnection, options: { logger: Logger; registry: Registry }): NatsConnectionWatch {
  const { logger } = options;
  let connected = !nats.isClosed();
  void (async () => {
    for await (const status of nats.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        logger.warn('NATS disconnected: events wait in the outbox until it is back');
      } else if (status.type === 'reconnect') {
        connected = true;
        logger.info('NATS reconnected');
      }
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'watching the NATS connection failed'));
  const watch = { isConnected: () => connected && !nats.isClosed() };
  new Gauge({
    name: 'event_backbone_connected',
    help: '1 while the NATS connection is up; 0 while events wait in the outbox',
    registers: [options.registry],
    collect() {
      this.set(watch.isConnected() ? 1 : 0);
    },
  });
  return watch;
}
