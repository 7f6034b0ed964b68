import pg from 'pg';
import type { TestDatabase } from './test-database.js';
import { testPostgresAdminUrl } from './test-env.js';

/**
 * An outage of one test database while its server keeps running: new connections are refused
 * (FATAL 55000, "not currently accepting connections") and those open are ended (FATAL 57P01), so
 * every pool meets both, as when a database server restarts or fails over. Returns what ends it
 * (once, however often it is called).
 */
export async function takeDatabaseDown(db: TestDatabase): Promise<() => Promise<void>> {
  // The administrator's own connection is to the maintenance database, which stays up.
  const admin = new pg.Pool({ connectionString: testPostgresAdminUrl(), max: 1 });
  try {
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db.name]);
  } catch (error) {
    await admin.end();
    throw error;
  }
  let ended: Promise<void> | undefined;
  return () =>
    (ended ??= (async () => {
      try {
        await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
      } finally {
        await admin.end();
      }
    })());
}
