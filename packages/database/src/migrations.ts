import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { openSchemaEngine } from './schema-engine.js';

/**
 * Where one service keeps its Prisma schema and migrations: prisma/<service>/. The schema is every
 * .prisma file in that folder (Prisma's multi-file schema): the service's own schema.prisma and
 * the shared files it includes as symlinks (packages/events/prisma/*.prisma).
 */
export type ServiceSchema = {
  schemaDir: string;
  migrationsDir: string;
};

export function serviceSchema(prismaRoot: string, service: string): ServiceSchema {
  const dir = path.join(prismaRoot, service);
  return { schemaDir: dir, migrationsDir: path.join(dir, 'migrations') };
}

/** The schema's files as [path, content], in name order (symlinked shared files are read through). */
export async function readSchemaFiles(schemaDir: string): Promise<{ path: string; content: string }[]> {
  const names = (await fs.readdir(schemaDir)).filter((name) => name.endsWith('.prisma')).sort();
  if (names.length === 0) throw new Error(`${schemaDir} holds no .prisma file`);
  return Promise.all(names.map(async (name) => ({ path: path.join(schemaDir, name), content: await fs.readFile(path.join(schemaDir, name), 'utf8') })));
}

const noFilters = { externalTables: [], externalEnums: [] };

/** Reads prisma/<service>/migrations the way `prisma migrate deploy` does. */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const names = existsSync(migrationsDir)
    ? (await fs.readdir(migrationsDir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockPath, content: existsSync(lockPath) ? await fs.readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => {
        const file = path.join(migrationsDir, name, 'migration.sql');
        const content = await fs.readFile(file, 'utf8').then(
          (sql) => ({ tag: 'ok' as const, value: sql }),
          (error: Error) => ({ tag: 'error' as const, value: error.message }),
        );
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
    ),
  };
}

/** Applies every migration not yet recorded in _prisma_migrations. Returns the names it applied. */
export async function applyMigrations(databaseUrl: string, schema: ServiceSchema): Promise<string[]> {
  const { engine, close } = await openSchemaEngine(databaseUrl, await readSchemaFiles(schema.schemaDir));
  try {
    const migrationsList = await readMigrations(schema.migrationsDir);
    const result = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return result.appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * Runs fn with the URL of a new, empty database on the same server as databaseUrl, then drops it.
 * The schema engine replays migrations into the database it is opened on, so diffs need one.
 */
async function withScratchDatabase<T>(databaseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `prisma_scratch_${randomBytes(6).toString('hex')}`;
  const scratchUrl = new URL(databaseUrl);
  scratchUrl.pathname = `/${name}`;
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  try {
    return await fn(scratchUrl.toString());
  } finally {
    await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/**
 * SQL that would take the database built by the checked-in migrations to what schema.prisma
 * describes; empty when they agree. Works in a scratch database on the server of databaseUrl, so
 * that URL's role must be allowed to create databases (a service's role is not).
 */
export async function diffMigrationsToSchema(databaseUrl: string, schema: ServiceSchema): Promise<string> {
  return withScratchDatabase(databaseUrl, (scratchUrl) => diffInEmptyDatabase(scratchUrl, schema));
}

async function diffInEmptyDatabase(databaseUrl: string, schema: ServiceSchema): Promise<string> {
  const { engine, close } = await openSchemaEngine(databaseUrl, await readSchemaFiles(schema.schemaDir));
  try {
    const migrationsList = await readMigrations(schema.migrationsDir);
    const hasMigrations = migrationsList.migrationDirectories.length > 0;
    const captured: string[] = [];
    const result = await engine.diff({
      from: hasMigrations ? { tag: 'migrations', ...migrationsList } : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: await readSchemaFiles(schema.schemaDir) },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as Parameters<typeof engine.diff>[0]);
    if (result.stdout) captured.push(result.stdout);
    return captured
      .join('')
      .replace(/^-- This is an empty migration\.\s*$/m, '')
      .trim();
  } finally {
    await close();
  }
}

/** Writes a new migration folder (timestamp_name) with the SQL that brings the migrations up to schema.prisma. */
export async function createMigration(databaseUrl: string, schema: ServiceSchema, name: string): Promise<string | undefined> {
  const sql = await diffMigrationsToSchema(databaseUrl, schema);
  if (!sql) return undefined;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(schema.migrationsDir, `${stamp}_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`);
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, 'migration.sql'), `${sql}\n`);
  const lockPath = path.join(schema.migrationsDir, 'migration_lock.toml');
  if (!existsSync(lockPath)) {
    await fs.writeFile(lockPath, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
  }
  return folder;
}
