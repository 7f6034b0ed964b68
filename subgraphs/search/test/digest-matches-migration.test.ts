import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';

// The migration that keeps a job's DAILY and WEEKLY matches as one row per frequency carries over
// the matches still waiting for their digest: applied to a database that holds some, as a running
// service's database would when it is upgraded.

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/search/migrations');
const MIGRATION = '20261203233718_saved_search_digest_matches';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const migrationSql = (folder: string) => fs.readFile(path.join(migrationsDir, folder, 'migration.sql'), 'utf8');

it('moves the waiting matches into one row per job and frequency, and stops deleting matches with their saved search', async () => {
  const folders = (await fs.readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders.filter((name) => name < MIGRATION)) await db.query(await migrationSql(folder));

  const insert = `INSERT INTO saved_searches (user_id, name, query, alert_frequency) VALUES ($1, $2, '', $3) RETURNING id::text`;
  const saved = async (user: number, frequency: string) => (await db.query<{ id: string }>(insert, [user, `${frequency} of ${user}`, frequency])).rows[0]!.id;
  const daily1 = await saved(1, 'daily');
  const daily2 = await saved(2, 'daily');
  const weekly = await saved(1, 'weekly');
  const never = await saved(3, 'never');
  const matchedAt = new Date('2026-12-02T10:00:00Z');
  for (const [search, job] of [
    [daily1, 100],
    [daily2, 100],
    [weekly, 100],
    [daily2, 200],
    [never, 200],
  ] as const)
    await db.query('INSERT INTO saved_search_matches (saved_search_id, job_id, matched_at) VALUES ($1, $2, $3)', [search, job, matchedAt]);

  await db.query(await migrationSql(MIGRATION));

  const rows = await db.query<{ job: string; frequency: string; ids: string[]; at: Date }>(
    `SELECT job_id::text AS job, alert_frequency AS frequency, saved_search_ids::text[] AS ids, matched_at AS at FROM saved_search_digest_matches ORDER BY job_id, alert_frequency`,
  );
  const sorted = (ids: string[]) => [...ids].sort((a, b) => Number(a) - Number(b));
  expect(rows.rows).toEqual([
    { job: '100', frequency: 'daily', ids: sorted([daily1, daily2]), at: matchedAt },
    { job: '100', frequency: 'weekly', ids: [weekly], at: matchedAt },
    { job: '200', frequency: 'daily', ids: [daily2], at: matchedAt },
  ]);
  expect((await db.query(`SELECT to_regclass('saved_search_matches') AS old`)).rows[0]!.old).toBeNull();

  // Deleting a saved search logs it for the matchers and leaves the waiting rows to the digest.
  await db.query('DELETE FROM saved_searches WHERE id = $1', [daily2]);
  expect((await db.query('SELECT saved_search_id::text AS id FROM saved_search_deletions')).rows).toEqual([{ id: daily2 }]);
  expect((await db.query('SELECT count(*)::int AS n FROM saved_search_digest_matches')).rows[0]!.n).toBe(3);
});
