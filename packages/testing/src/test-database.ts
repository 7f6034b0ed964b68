import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations, serviceSchema } from '@jobplatform/database';
import { testPostgresAdminUrl } from './test-env.js';

const prismaRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma');

export type TestDatabase = {
  url: string;
  name: string;
  /** Runs SQL directly, for assertions about what was stored. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
};

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresAdminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A new database for one test file, with the service's migrations applied (or empty when service
 * is undefined). Each file gets its own, so files run side by side without sharing rows.
 */
export async function createTestDatabase(service?: string): Promise<TestDatabase> {
  const name = `test_${service ?? 'empty'}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(testPostgresAdminUrl());
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  if (service) await applyMigrations(databaseUrl, serviceSchema(prismaRoot, service));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // An idle connection ended by the server (the database dropped, PostgreSQL stopping) is not a test failure.
  pool.on('error', () => undefined);
  return {
    url: databaseUrl,
    name,
    query: (sql, values) => pool.query(sql, values),
    async drop() {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
