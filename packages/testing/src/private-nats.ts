import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startNatsServer, type NatsServerHandle } from '@jobplatform/embedded-infra';

export type PrivateNats = NatsServerHandle & { dispose(): Promise<void> };

/**
 * A nats-server of the test file's own: stream and durable consumer names are fixed by the
 * contracts (USERS, jobs-users-replica, ...), so files running side by side must not share a
 * server, and some tests stop and restart it.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-nats-'));
  const server = await startNatsServer({ port: await findFreePort(), storeDir: dir });
  return {
    ...server,
    async dispose() {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
