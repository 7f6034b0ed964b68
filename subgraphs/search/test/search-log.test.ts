import { waitFor } from '@jobplatform/testing';
import { jobSnapshot, startSearchForTest, type SearchUnderTest } from './search-fixtures.js';

// The search log: a search is recorded (analytics, history, search.search.performed.v1) after its
// request has been answered, in a batch with the others; a service that stops writes what it holds.

let search: SearchUnderTest;

beforeAll(async () => {
  // A flush interval longer than the test, so that only the shutdown can write the searches.
  search = await startSearchForTest({ SEARCH_LOG_FLUSH_MS: '60000' });
});
afterAll(async () => {
  await search?.close();
});

const count = async (sql: string, values: unknown[] = []) => (await search.db.query<{ n: number }>(sql, values)).rows[0]!.n;

it('answers a search without writing its record, and writes every held search when the service stops', async () => {
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: jobSnapshot({ title: 'Capybara groomer' }) });
  search.statements.length = 0;
  expect((await search.searchJobs({ query: 'Capybara groomer', filter: { isRemote: false } }, '71')).totalCount).toBe(1);
  expect((await search.searchJobs({ query: 'capybara   GROOMER' }, '72')).totalCount).toBe(1);
  expect((await search.searchJobs({ query: 'capybara groomer' }, '71')).totalCount).toBe(1);
  expect((await search.searchJobs({ query: 'capybara groomer' })).totalCount).toBe(1);
  expect((await search.gql('query { searchCompanies(query: "capybara") { totalCount } }')).errors).toBeUndefined();

  // The requests sent their reads only; nothing is written yet.
  expect(search.statements.filter((sql) => /search_history|search_analytics|event_outbox/.test(sql))).toEqual([]);
  expect(await count('SELECT count(*)::int AS n FROM search_history')).toBe(0);
  expect(await count('SELECT count(*)::int AS n FROM search_analytics')).toBe(0);

  await search.service.close();

  const history = await search.db.query('SELECT user_id::text AS "userId", query, filters, results_count AS "resultsCount" FROM search_history ORDER BY id');
  expect(history.rows).toEqual([
    { userId: '71', query: 'Capybara groomer', filters: { isRemote: false }, resultsCount: 1 },
    { userId: '72', query: 'capybara GROOMER', filters: null, resultsCount: 1 },
    { userId: '71', query: 'capybara groomer', filters: null, resultsCount: 1 },
  ]);
  const analytics = await search.db.query('SELECT kind, query, search_count AS "searchCount", distinct_users AS "distinctUsers" FROM search_analytics ORDER BY kind DESC');
  expect(analytics.rows).toEqual([
    { kind: 'jobs', query: 'capybara groomer', searchCount: 4, distinctUsers: 2 },
    { kind: 'companies', query: 'capybara', searchCount: 1, distinctUsers: 0 },
  ]);
  const events = await search.outbox('search.search.performed.v1');
  expect(events.map((event) => [event.data.kind, event.data.query, event.data.resultCount])).toEqual([
    ['jobs', 'capybara groomer', 1],
    ['jobs', 'capybara groomer', 1],
    ['jobs', 'capybara groomer', 1],
    ['jobs', 'capybara groomer', 1],
    ['companies', 'capybara', 0],
  ]);
  for (const event of events) expect(Object.keys(event.data).sort()).toEqual(['kind', 'query', 'resultCount', 'searchedAt']);
});

it('writes the searches of a running service on its own, within the flush interval', async () => {
  const running = await startSearchForTest({ SEARCH_LOG_FLUSH_MS: '50' });
  try {
    await running.searchJobs({ query: 'tapir keeper' }, '73');
    await waitFor(
      'the search in the history and the outbox',
      async () => [
        (await running.db.query('SELECT 1 FROM search_history WHERE user_id = 73')).rowCount,
        (await running.outbox('search.search.performed.v1')).filter((event) => event.data.query === 'tapir keeper').length,
      ],
      ([history, events]) => history === 1 && events === 1,
    );
  } finally {
    await running.close();
  }
});
