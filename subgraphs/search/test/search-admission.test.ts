import pg from 'pg';
import { loadSubgraphEnv } from '@jobplatform/service-runtime';
import { searchSettings } from '../src/env.js';
import { jobSnapshot, startSearchForTest, type SearchUnderTest } from './search-fixtures.js';

let search: SearchUnderTest;
beforeAll(async () => {
  // Every search reads the matching jobs in PostgreSQL, where the admission is seen.
  search = await startSearchForTest({ SEARCH_CONCURRENT_QUERIES: '2', SEARCH_JOBS_IN_MEMORY: 'false' });
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: jobSnapshot({ title: 'Capybara groomer' }) });
});
afterAll(async () => {
  await search?.close();
});

const searchesInPostgres = async () =>
  Number(
    (
      await search.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%FROM search_indexes j%' AND state = 'active'`,
      )
    ).rows[0]!.n,
  );

it('runs at most SEARCH_CONCURRENT_QUERIES searchJobs statements at once; the others wait in the service and then run', async () => {
  // A lock that every search's read waits for, held by the test: the searches admitted stay in PostgreSQL.
  const holder = new pg.Client({ connectionString: search.db.url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE search_indexes IN ACCESS EXCLUSIVE MODE');
    const searches = Array.from({ length: 5 }, (_, i) => search.searchJobs({ query: 'capybara', first: i + 1 }));
    const deadline = Date.now() + 10_000;
    while ((await searchesInPostgres()) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // Time for the other three to arrive, had they been let through.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await searchesInPostgres()).toBe(2);
    await holder.query('COMMIT');
    const pages = await Promise.all(searches);
    expect(pages.map((page) => page.totalCount)).toEqual([1, 1, 1, 1, 1]);
  } finally {
    await holder.end();
  }
});

it("runs search's statements with SEARCH_WORK_MEM (16MB by default), so a broad search's set of jobs stays in memory", async () => {
  const [row] = await search.service.sql.rows<{ work_mem: string }>("SELECT current_setting('work_mem') AS work_mem");
  expect(row).toEqual({ work_mem: '16MB' });
  const viaPrisma = await search.service.db.$queryRawUnsafe<{ work_mem: string }[]>("SELECT current_setting('work_mem') AS work_mem");
  expect(viaPrisma).toEqual([{ work_mem: '16MB' }]);
});

it('refuses a SEARCH_WORK_MEM that is not a size', () => {
  for (const value of ['16', '16 MB', '0MB', '16MB; SET fsync = off'])
    expect(() => loadSubgraphEnv('search', searchSettings, { NODE_ENV: 'test', SEARCH_DATABASE_URL: search.db.url, NATS_URL: search.natsUrl, SEARCH_WORK_MEM: value })).toThrow(
      /SEARCH_WORK_MEM/,
    );
  expect(
    loadSubgraphEnv('search', searchSettings, { NODE_ENV: 'test', SEARCH_DATABASE_URL: search.db.url, NATS_URL: search.natsUrl, SEARCH_WORK_MEM: '64MB' }).own.SEARCH_WORK_MEM,
  ).toBe('64MB');
});
