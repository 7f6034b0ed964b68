import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseRole } from '@jobplatform/config';
import { applyMigrations, provisionServiceDatabase, serviceSchema } from '@jobplatform/database';
import { testPostgresAdminUrl } from './test-env.js';

const prismaRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma');

/**
 * The owner of the databases that belong to no service (createTestDatabase() without one): like a
 * service's role, but it may create databases, since the migration drift check those tests run
 * works in throw-away databases it makes beside them.
 */
export const scratchDatabaseRole = 'scratch_owner';

export type TestDatabase = {
  /** The URL of the owner: the service's own role (`jobs_service`), as the service connects in production. */
  url: string;
  name: string;
  /** The role that owns the database. */
  role: string;
  /** Runs SQL directly, as the owner, for assertions about what was stored. */
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

/** The same for every test file on one cluster (they share the roles), and another on the next cluster. */
const testRolePassword = (role: string) => createHash('sha256').update(`${testPostgresAdminUrl()}\n${role}`).digest('base64url');

/**
 * A new database for one test file, owned by the service's role, with the service's migrations
 * applied as that role (or empty, owned by scratchDatabaseRole, when service is undefined). Each
 * file gets its own, so files run side by side without sharing rows.
 */
export async function createTestDatabase(service?: string): Promise<TestDatabase> {
  const name = `test_${(service ?? 'empty').replace(/-/g, '_')}_${randomBytes(5).toString('hex')}`;
  const role = service ? databaseRole(service) : scratchDatabaseRole;
  const { url } = await provisionServiceDatabase(testPostgresAdminUrl(), { database: name, role, password: testRolePassword(role), createsDatabases: !service });
  if (service) await applyMigrations(url, serviceSchema(prismaRoot, service));
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection ended by the server (the database dropped, PostgreSQL stopping) is not a test failure.
  pool.on('error', () => undefined);
  return {
    url,
    name,
    role,
    query: (sql, values) => pool.query(sql, values),
    async drop() {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
