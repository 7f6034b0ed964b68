// A benchmark may start PostgreSQL with settings of its own (pg_stat_statements, say): they reach
// the server as it starts, beside the defaults every cluster gets.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '../src/ports.js';
import { startEmbeddedPostgres } from '../src/postgres.js';

it('starts the server with the settings it is given, and with its defaults', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-settings-'));
  await fs.chmod(dir, 0o755); // PostgreSQL may run as another user (see postgres-access.ts)
  const port = await findFreePort();
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'postgres'),
    port,
    persistent: false,
    settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' },
  });
  const client = new pg.Client({ connectionString: postgres.urlFor('postgres') });
  try {
    await client.connect();
    const setting = async (name: string) => (await client.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0]?.setting;
    expect(await setting('shared_preload_libraries')).toBe('pg_stat_statements');
    expect(await setting('pg_stat_statements.track_planning')).toBe('on');
    expect(await setting('max_connections')).toBe('300');
    await client.query('CREATE EXTENSION pg_stat_statements');
    await client.query('SELECT 1');
    const { rows } = await client.query<{ plans: string }>(`SELECT sum(plans) AS plans FROM pg_stat_statements WHERE query = 'SELECT $1'`);
    expect(Number(rows[0]!.plans)).toBeGreaterThanOrEqual(1);
  } finally {
    await client.end();
    await postgres.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
