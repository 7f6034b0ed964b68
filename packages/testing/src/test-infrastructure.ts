import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { findFreePort, findNatsServer, natsInstallHint, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../embedded-infra/src/index.js';
import { TEST_ENV } from './test-env.js';

type Infra = { postgres?: EmbeddedPostgresHandle; dir: string };
const holder = globalThis as typeof globalThis & { __jobplatformTestInfra?: Infra };

/**
 * Jest global setup: one real PostgreSQL cluster for the whole run, in a temporary folder; test
 * files create their own databases on it (JOBPLATFORM_TEST_POSTGRES_URL may point at a server that
 * is already running instead). NATS is per test file: stream and consumer names are fixed, so each
 * file starts a nats-server of its own (startPrivateNats); this only checks that one can start.
 */
export async function startTestInfrastructure(): Promise<void> {
  if (!findNatsServer()) throw new Error(`The tests need nats-server. ${natsInstallHint()}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-test-'));
  await fs.chmod(dir, 0o755);
  const infra: Infra = { dir };
  holder.__jobplatformTestInfra = infra;
  if (!process.env[TEST_ENV.postgresAdminUrl]) {
    const port = await findFreePort();
    infra.postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port, persistent: false });
    process.env[TEST_ENV.postgresAdminUrl] = infra.postgres.urlFor('postgres');
  }
}

export async function stopTestInfrastructure(): Promise<void> {
  const infra = holder.__jobplatformTestInfra;
  if (!infra) return;
  await infra.postgres?.stop().catch(() => undefined);
  await fs.rm(infra.dir, { recursive: true, force: true });
}
