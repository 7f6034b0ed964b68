import pg from 'pg';
import { jobSnapshot, startSearchForTest, type SearchUnderTest } from './search-fixtures.js';

let search: SearchUnderTest;
beforeAll(async () => {
  search = await startSearchForTest({ SEARCH_CONCURRENT_QUERIES: '2' });
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
