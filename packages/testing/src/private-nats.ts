import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gatewayDefinition, serviceRegistry } from '@jobplatform/config';
import { findFreePort, startNatsServer, type NatsServerHandle } from '@jobplatform/embedded-infra';
import { connectToNats, ensureStreams, natsAdminUser, natsPasswordVariable, natsServerConfig } from '@jobplatform/events';

export type PrivateNats = NatsServerHandle & {
  /**
   * nats://admin:<password>@127.0.0.1:<port>: connections made with it act as the admin, as the
   * tests' own readers and stand-in producers do. Services get their own identity instead
   * (natsEnvFor).
   */
  url: string;
  /** The server's address without credentials: what an unauthenticated client would try. */
  address: string;
  adminPassword: string;
  /** Each registered service's password on this server, and the gateway's, made at random. */
  passwords: Readonly<Record<string, string>>;
  dispose(): Promise<void>;
};

const running = new Map<string, PrivateNats>();

const randomPassword = () => randomBytes(18).toString('base64url');

/**
 * A nats-server of the test file's own: stream and durable consumer names are fixed by the
 * contracts (USERS, jobs-users-replica, ...), so files running side by side must not share a
 * server, and some tests stop and restart it. It is configured as the platform's is, from the
 * service registry: one identity per service and one for the gateway, with random passwords, an
 * admin, no anonymous access. The registry's streams are there from the start, as its producers would create them,
 * so that a test can publish as a producer that is not running.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-nats-'));
  const adminPassword = randomPassword();
  const passwords = Object.fromEntries([...serviceRegistry, gatewayDefinition].map((service) => [service.name, randomPassword()]));
  const config = natsServerConfig({ services: serviceRegistry, listeners: [gatewayDefinition], passwords, adminPassword });
  const server = await startNatsServer({ port: await findFreePort(), storeDir: dir, config });
  const address = server.url;
  const url = address.replace('nats://', `nats://${natsAdminUser}:${adminPassword}@`);
  const privateNats: PrivateNats = {
    ...server,
    url,
    address,
    adminPassword,
    passwords,
    async dispose() {
      running.delete(url);
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  try {
    const admin = await connectToNats(url, 'test-provisioning');
    try {
      await ensureStreams(
        admin,
        serviceRegistry.map((service) => service.name),
      );
    } finally {
      await admin.close();
    }
  } catch (error) {
    await privateNats.dispose();
    throw error;
  }
  running.set(url, privateNats);
  return privateNats;
}

/**
 * The settings that connect `service` to a server: for a private server, its address and the
 * service's own password (<SERVICE>_NATS_PASSWORD); for any other, the URL as given.
 */
export function natsEnvFor(natsUrl: string, service: string): NodeJS.ProcessEnv {
  const privateNats = running.get(natsUrl);
  const password = privateNats?.passwords[service];
  if (!privateNats || !password) return { NATS_URL: natsUrl };
  return { NATS_URL: privateNats.address, [natsPasswordVariable(service)]: password };
}
