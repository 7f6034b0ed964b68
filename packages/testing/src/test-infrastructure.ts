import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { findFreePort, startEmbeddedPostgres, startNatsServer, type EmbeddedPostgresHandle, type NatsServerHandle } from '../../embedded-infra/src/index.js';
import { TEST_ENV } from './test-env.js';

type Infra = { postgres?: EmbeddedPostgresHandle; nats?: NatsServerHandle; dir: string };
const holder = globalThis as typeof globalThis & { __jobplatformTestInfra?: Infra };

/**
 * Jest global setup: one real PostgreSQL cluster and one real nats-server for the whole run, in a
 * temporary folder. Test files create their own databases on the cluster. JOBPLATFORM_TEST_POSTGRES_URL
 * and JOBPLATFORM_TEST_NATS_URL may point at servers that are already running instead.
 */
export async function startTestInfrastructure(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-test-'));
  await fs.chmod(dir, 0o755);
  const infra: Infra = { dir };
  holder.__jobplatformTestInfra = infra;
  if (!process.env[TEST_ENV.postgresAdminUrl]) {
    const port = await findFreePort();
    infra.postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port, persistent: false });
    process.env[TEST_ENV.postgresAdminUrl] = infra.postgres.urlFor('postgres');
  }
  if (!process.env[TEST_ENV.natsUrl]) {
    infra.nats = await startNatsServer({ port: await findFreePort(), storeDir: path.join(dir, 'nats') });
    process.env[TEST_ENV.natsUrl] = infra.nats.url;
  }
}


export async function stopTestInfrastructure(): Promise<void> {
  const infra = holder.__jobplatformTestInfra;
  if (!infra) return;
  await Promise.allSettled([infra.postgres?.stop(), infra.nats?.stop()]);
  await fs.rm(infra.dir, { recursive: true, force: true });
}
