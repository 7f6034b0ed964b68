import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Registry } from 'prom-client';
import { createLogger } from '@jobplatform/config';
import { diffMigrationsToSchema } from '@jobplatform/database';
import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { startMailCatcher, type MailCatcher } from '../src/catcher.js';
import { mailSettings, startCourier, type Courier, type CourierOptions } from '../src/index.js';

export { waitFor } from '@jobplatform/testing';

const outboundMailPrisma = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../prisma/outbound-mail.prisma');

/** A temporary folder, removed by the returned function. */
export async function temporaryDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * An empty database holding outbound_mail exactly as a service that includes outbound-mail.prisma
 * gets it from its migration (the SQL is Prisma's own for the shared file).
 */
export async function createMailDatabase(): Promise<TestDatabase & { pool: pg.Pool }> {
  const db = await createTestDatabase();
  const scratch = await temporaryDir('jobplatform-mail-schema-');
  try {
    await fs.writeFile(path.join(scratch.dir, 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n');
    await fs.copyFile(outboundMailPrisma, path.join(scratch.dir, 'outbound-mail.prisma'));
    await db.query(await diffMigrationsToSchema(db.url, { schemaDir: scratch.dir, migrationsDir: path.join(scratch.dir, 'migrations') }));
  } finally {
    await scratch.remove();
  }
  const pool = new pg.Pool({ connectionString: db.url, max: 5 });
  pool.on('error', () => undefined);
  return {
    ...db,
    pool,
    async drop() {
      await pool.end();
      await db.drop();
    },
  };
}

/** A catcher in a folder of its own; stop() also removes the folder. */
export async function startTestCatcher(options: { port?: number; refuseRecipient?: (address: string) => boolean } = {}): Promise<MailCatcher> {
  const folder = await temporaryDir('jobplatform-mail-');
  const catcher = await startMailCatcher({ dir: folder.dir, ...options });
  return {
    ...catcher,
    async stop() {
      await catcher.stop();
      await folder.remove();
    },
  };
}

/** Courier settings for tests: quick polls and retries, as environment variables would give them. */
export function testCourierSettings(env: Record<string, string> = {}) {
  return mailSettings.parse({ MAIL_POLL_INTERVAL_MS: '20', MAIL_RETRY_BASE_MS: '20', MAIL_RETRY_MAX_MS: '200', MAIL_SEND_TIMEOUT_MS: '2000', ...env });
}

/** A courier over the test database, on a registry of its own. */
export async function startTestCourier(db: TestDatabase, env: Record<string, string>, options: Partial<CourierOptions> = {}): Promise<Courier & { registry: Registry }> {
  const registry = new Registry();
  const courier = await startCourier({ databaseUrl: db.url, settings: testCourierSettings(env), logger: createLogger('mail-test', 'silent'), registry, ...options });
  return { ...courier, registry };
}

/** One sample of a metric in the registry's text format, or undefined. */
export async function metricValue(registry: Registry, name: string, labels = ''): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}
