import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { waitForPort } from './ports.js';
import { locateBinaries, placeDataDir, removeDataDir, resolveRunAs, writePasswordFile, type PostgresBinaries, type RunAs } from './postgres-access.js';

export type EmbeddedPostgresOptions = {
  /** Folder that holds the cluster; initialised when empty, reused otherwise. */
  dataDir: string;
  port: number;
  user?: string;
  /** The superuser's password; set on a new cluster, and on an existing one that has a former one. */
  password?: string;
  /**
   * Passwords the superuser of an existing cluster may still have (one made before `password` was
   * chosen): when `password` is refused and one of these works, the superuser gets `password`.
   */
  formerPasswords?: string[];
  /** When false, the folder is deleted on stop (tests). */
  persistent?: boolean;
  onLog?: (line: string) => void;
  /**
   * Run in a process group of its own, so that the terminal's Ctrl-C does not reach it and the
   * caller stops it when its turn comes (the dev stack: services first, then NATS, then PostgreSQL).
   */
  ownProcessGroup?: boolean;
  /** Server settings beyond the defaults, each passed as `-c name=value` (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
};

export type EmbeddedPostgresHandle = {
  /** Connection URL for one database of this cluster. */
  urlFor(database: string): string;
  /** Creates the database when it does not exist yet. */
  ensureDatabase(database: string): Promise<void>;
  dropDatabase(database: string): Promise<void>;
  /** Fast shutdown (SIGINT): open transactions roll back, the cluster is left consistent. */
  stop(): Promise<void>;
};

async function run(binary: string, args: string[], runAs: RunAs, log: (line: string) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(binary, args, { ...runAs, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      output.split('\n').filter(Boolean).forEach(log);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(binary)} failed with code ${code}:\n${output}`));
    });
  });
}

async function initialiseCluster(binaries: PostgresBinaries, dataDir: string, user: string, password: string, runAs: RunAs, log: (line: string) => void) {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) await fs.chown(dataDir, runAs.uid, runAs.gid ?? runAs.uid);
  const passwordFile = await writePasswordFile(dataDir, password, runAs);
  try {
    await run(binaries.initdb, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale'], runAs, log);
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

/** A postmaster left behind by a start that was killed holds the folder; stop it cleanly first. */
async function stopLeftoverServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale file; PostgreSQL removes it itself
  }
  log(`stopping PostgreSQL (pid ${pid}) left running by an earlier start`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it and start again`);
}

async function launch(
  binaries: PostgresBinaries,
  dataDir: string,
  port: number,
  runAs: RunAs,
  log: (line: string) => void,
  detached: boolean,
  settings: Record<string, string>,
): Promise<ChildProcess> {
  const extra = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const child = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', ...extra],
    {
      ...runAs,
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      detached,
    },
  );
  const forward = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(log);
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`PostgreSQL exited during start-up with code ${code}; see its log above`))));
  exited.catch(() => undefined);
  await Promise.race([waitForPort(port, '127.0.0.1', 30_000), exited]);
  return child;
}

async function adminQuery(config: pg.ClientConfig, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/** Connecting right after the port opens can meet "the database system is starting up". */
async function waitUntilAcceptingQueries(config: pg.ClientConfig, formerPasswords: string[], log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await adminQuery(config, 'SELECT 1');
      return;
    } catch (error) {
      if ((error as { code?: string }).code === '28P01' && (await changeFormerPassword(config, formerPasswords))) {
        log(`the superuser ${config.user} had a former password; it now has the one it was started with`);
        return;
      }
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The superuser's password refused: sign in with a former one, if one works, and set the current one. */
async function changeFormerPassword(config: pg.ClientConfig, formerPasswords: string[]): Promise<boolean> {
  for (const former of formerPasswords) {
    const client = new pg.Client({ ...config, password: former });
    try {
      await client.connect();
    } catch {
      continue;
    }
    try {
      await client.query(`ALTER ROLE ${client.escapeIdentifier(String(config.user))} PASSWORD ${client.escapeLiteral(String(config.password))}`);
      return true;
    } finally {
      await client.end();
    }
  }
  return false;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const log = options.onLog ?? (() => undefined);
  const runAs = resolveRunAs();
  // As root, PostgreSQL runs as the postgres user: both may move to where that user can reach them.
  const binaries = await locateBinaries(runAs, log);
  const requestedDataDir = path.resolve(options.dataDir);
  const dataDir = await placeDataDir(requestedDataDir, runAs, log);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await initialiseCluster(binaries, dataDir, user, password, runAs, log);
  } else {
    await stopLeftoverServer(dataDir, log);
  }
  const child = await launch(binaries, dataDir, options.port, runAs, log, options.ownProcessGroup ?? false, options.settings ?? {});

  const admin: pg.ClientConfig = { host: '127.0.0.1', port: options.port, user, password, database: 'postgres' };
  await waitUntilAcceptingQueries(admin, options.formerPasswords ?? [], log);
  const urlFor = (database: string) => `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;

  return {
    urlFor,
    async ensureDatabase(database) {
      assertIdentifier(database);
      const exists = await adminQuery(admin, 'SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) {
        await adminQuery(admin, `CREATE DATABASE "${database}"`).catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created meanwhile by another process
        });
      }
    },
    async dropDatabase(database) {
      assertIdentifier(database);
      await adminQuery(admin, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => child.kill('SIGQUIT'), 20_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGINT');
        });
      }
      if (options.persistent === false) await removeDataDir(requestedDataDir, dataDir);
    },
  };
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a safe database name: ${name}`);
}
