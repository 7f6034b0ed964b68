import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * A NATS connection that never gives up reconnecting: a service outlives any nats-server restart,
 * and the outbox keeps events safe meanwhile. The client's default stops after ten attempts.
 */
export async function connectToNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    // Notice a dead server within seconds rather than minutes.
    pingInterval: 5_000,
    maxPingOut: 2,
  });
}
