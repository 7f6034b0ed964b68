import pg from 'pg';
import { indexJob } from '../src/job-index.js';
import { sendDueDigests } from '../src/saved-search-digests.js';
import { createLeanSql } from '@jobplatform/service-runtime';
import { rawSqlOver } from '../src/db.js';
import { createSavedSearchMatcher, type SavedSearchMatcher, type SavedSearchMatching } from '../src/saved-search-matcher.js';
import { MAX_SAVED_SEARCHES_PER_USER } from '../src/saved-searches.js';
import type { Tx } from '../src/db.js';
import { publishEnvelope, waitFor } from '@jobplatform/testing';
import { jobSnapshot, startSearchForTest, type JobSnapshot, type SearchUnderTest } from './search-fixtures.js';

// Saved searches against search alone: matching new jobs, digests, the per-user limit, erasure.

let search: SearchUnderTest;

const SAVE = 'mutation($input: SaveSearchInput!) { saveSearch(input: $input) { id alertFrequency } }';
async function save(user: string, input: Record<string, unknown>): Promise<string> {
  const response = await search.gql(SAVE, { input }, { token: `user-${user}` });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return (response.data as any).saveSearch.id;
}
const alertsFor = async (user: string) => (await search.outbox('search.saved_search.matched.v1')).filter((event) => event.data.userId === user).map((event) => event.data);

beforeAll(async () => {
  search = await startSearchForTest();
});
afterAll(async () => {
  await search?.close();
});

class RolledBack extends Error {}

/** Indexes `job` and runs `work` in the same transaction, rolled back afterwards. */
async function withJobIndexed<T>(job: JobSnapshot, work: (tx: Tx) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await search.service.db
    .$transaction(async (tx) => {
      await indexJob(tx, job, { version: Date.now(), deleted: false });
      result = await work(tx);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return result!;
}

/** Indexes `job` and matches it as the consumer does (by the service's matcher, or another replica's), in a transaction rolled back afterwards. */
const matchRolledBack = (job: JobSnapshot, matcher: SavedSearchMatcher = search.service.domain.savedSearchMatcher): Promise<SavedSearchMatching> =>
  withJobIndexed(job, (tx) => matcher.match(tx, job.id, { now: new Date() }));

/** The saved searches a job matched that wait for a digest, in id order. */
const matchesOf = async (jobId: string) =>
  (await search.db.query<{ id: string }>('SELECT id::text FROM saved_search_digest_matches, unnest(saved_search_ids) AS id WHERE job_id = $1 ORDER BY id', [jobId])).rows.map(
    (row) => row.id,
  );
const digestRowsOf = async (jobId: string) =>
  (await search.db.query<{ frequency: string }>('SELECT alert_frequency AS frequency FROM saved_search_digest_matches WHERE job_id = $1 ORDER BY 1', [jobId])).rows.map(
    (row) => row.frequency,
  );

// First, while the only saved searches are its own: the count of candidates is exact.
it('tests a new job only against the saved searches whose keys it has: a rare word of an AND, a filter value', async () => {
  const inputs: { user: string; input: Record<string, unknown> }[] = [];
  const add = (count: number, input: Record<string, unknown>) => {
    for (let i = 0; i < count; i += 1) inputs.push({ user: String(200 + inputs.length), input: { name: `Search ${inputs.length}`, alertFrequency: 'INSTANT', ...input } });
  };
  add(3, { query: 'wombat' });
  add(10, { query: 'quokka' });
  // An AND of a word the job has and one it lacks: looked up by the longer, rarer, one.
  add(10, { query: 'wombat platypuses' });
  add(2, { filters: { jobTypes: ['FULL_TIME'], salaryCurrency: 'EUR' } });
  add(10, { filters: { jobTypes: ['INTERNSHIP'], isRemote: false } });
  add(10, { filters: { skillIds: ['999'], jobTypes: ['FULL_TIME'] } });
  add(5, { filters: { location: 'Reykjavik' } });
  // Listed under both of its skills, which the job has: tested once, matched once.
  add(1, { filters: { skillIds: ['31', '32'] } });
  for (const { user, input } of inputs) await save(user, input);

  const skills = [
    { id: '31', name: 'Burrowing', isRequired: true },
    { id: '32', name: 'Grazing', isRequired: false },
  ];
  const result = await matchRolledBack(jobSnapshot({ title: 'Wombat keeper', location: 'Paris', skills }));
  // Before keys, 41 would have been tested: the 13 sharing the word wombat, and the 28 filter-only.
  expect(result).toEqual({ tested: 6, matched: 6, instantAlerts: 6 });
  expect((await search.db.query('SELECT count(*)::int AS n FROM saved_search_digest_matches')).rows[0]!.n).toBe(0);
  await search.db.query('DELETE FROM saved_searches');
});

it('matches exactly what the query and filters say: AND, OR, phrase, negation, stems, title or description, filters alone', async () => {
  // Makes the parent category known to search, as an earlier job naming it would.
  const parent = { id: '701', name: 'Engineering', parentId: null };
  const child = { id: '702', name: 'Systems engineering', parentId: '701' };
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: jobSnapshot({ title: 'Unrelated', categories: [parent] }) });

  const cases: Record<string, Record<string, unknown>> = {
    and: { query: 'rust developer' },
    phrase: { query: '"senior rust"' },
    phraseOfTitle: { query: '"rust developer"' },
    or: { query: 'rust or golang' },
    negation: { query: 'rust -embedded' },
    negationOnly: { query: '-java' },
    orNegation: { query: 'rust or -java' },
    stemmed: { query: 'developing' },
    description: { query: 'kubernetes' },
    descriptionAndTitle: { query: 'services golang' },
    stopWordsOnly: { query: 'the' },
    everything: {},
    locationOnly: { filters: { location: 'lond' } },
    typeAndRemote: { filters: { jobTypes: ['CONTRACT'], isRemote: true } },
    parentCategory: { filters: { categoryIds: ['701'] } },
    salary: { filters: { salaryCurrency: 'EUR', salaryMin: 50000 } },
    wordAndFilter: { query: 'developer', filters: { isRemote: false } },
    negationAndLocation: { query: '-java', filters: { location: 'PARIS' } },
    never: { query: 'rust', alertFrequency: 'NEVER' },
  };
  const ids: Record<string, string> = {};
  for (const [name, input] of Object.entries(cases)) ids[name] = await save('41', { name, alertFrequency: 'DAILY', ...input });

  const jobs = {
    a: jobSnapshot({
      title: 'Senior Rust developer',
      description: 'Kubernetes and embedded systems.',
      location: 'London, UK',
      jobType: 'contract',
      isRemote: true,
      categories: [child],
    }),
    b: jobSnapshot({ title: 'Golang engineer', description: 'Go services.', location: 'Paris, France', salaryMin: '60000.00', salaryMax: '80000.00' }),
    c: jobSnapshot({ title: 'Rust developer', description: 'Builds things.' }),
    d: jobSnapshot({ title: 'Java developer', description: 'Spring services.', location: 'Berlin' }),
  };
  for (const job of Object.values(jobs)) await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });

  const expected: Record<keyof typeof jobs, string[]> = {
    a: ['and', 'phrase', 'phraseOfTitle', 'or', 'negationOnly', 'orNegation', 'stemmed', 'description', 'everything', 'locationOnly', 'typeAndRemote', 'parentCategory'],
    b: ['or', 'negationOnly', 'orNegation', 'descriptionAndTitle', 'everything', 'salary', 'negationAndLocation'],
    c: ['and', 'phraseOfTitle', 'or', 'negation', 'negationOnly', 'orNegation', 'stemmed', 'everything', 'wordAndFilter'],
    d: ['stemmed', 'everything', 'wordAndFilter'],
  };
  for (const [job, names] of Object.entries(expected)) {
    const want = names.map((name) => ids[name]!).sort((x, y) => Number(x) - Number(y));
    expect({ job, matches: await matchesOf(jobs[job as keyof typeof jobs].id) }).toEqual({ job, matches: want });
  }

  // The job's DAILY matches are one row, however many saved searches it matched.
  expect(await digestRowsOf(jobs.a.id)).toEqual(['daily']);

  // A deleted saved search's id waits with the others, and its digest leaves it out.
  await search.gql('mutation($id: ID!) { deleteSavedSearch(id: $id) }', { id: ids.everything }, { token: 'user-41' });
  expect(await sendDueDigests(search.service.db, 'daily', new Date(Date.now() + 86_400_000))).toBe(1);
  const [digest] = await alertsFor('41');
  const carried = digest!.matches.map((match: { savedSearchId: string }) => match.savedSearchId);
  expect(carried).not.toContain(ids.everything);
  expect(carried).toContain(ids.and);
  expect(await matchesOf(jobs.a.id)).toEqual([]);
  await search.db.query('DELETE FROM saved_searches WHERE user_id = 41');
});

it('tests a new job only against the saved searches that can match it, and alerts INSTANT owners once', async () => {
  const rust = await save('71', { name: 'Rust', query: 'rust', alertFrequency: 'INSTANT' });
  const remoteOnly = await save('72', { name: 'Remote rust', query: 'rust -embedded', filters: { isRemote: true }, alertFrequency: 'INSTANT' });
  const everyContract = await save('73', { name: 'Contracts', filters: { jobTypes: ['CONTRACT'] }, alertFrequency: 'INSTANT' });
  await save('74', { name: 'Never', query: 'rust', alertFrequency: 'NEVER' });

  const job = jobSnapshot({ title: 'Rust developer', isRemote: false });
  const created = await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });
  const embedded = jobSnapshot({ title: 'Embedded Rust developer', isRemote: true, jobType: 'contract' });
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: embedded });

  expect(await alertsFor('71')).toEqual([
    { userId: '71', alertFrequency: 'instant', periodStart: null, periodEnd: null, matches: [{ savedSearchId: rust, name: 'Rust', jobIds: [job.id] }] },
    { userId: '71', alertFrequency: 'instant', periodStart: null, periodEnd: null, matches: [{ savedSearchId: rust, name: 'Rust', jobIds: [embedded.id] }] },
  ]);
  // On site, then excluded by "-embedded": never a match.
  expect(await alertsFor('72')).toEqual([]);
  expect((await alertsFor('73')).map((alert) => alert.matches)).toEqual([[{ savedSearchId: everyContract, name: 'Contracts', jobIds: [embedded.id] }]]);
  expect(await alertsFor('74')).toEqual([]);
  expect(remoteOnly).toBeDefined();

  // The same event again, past JetStream's duplicate window (another msgID): skipped by the
  // consumer, which applies an event once, so it alerts no one again. Nor does an update.
  const consumer = search.service.consumers['job-index']!;
  const before = consumer.stats();
  await publishEnvelope(search.nats, created, `${created.id}-again`);
  await waitFor(
    'the redelivery',
    async () => consumer.stats(),
    (stats) => stats.duplicates > before.duplicates,
  );
  await search.fromJobs('jobs.job.updated.v1', { actorId: '1', job: { ...job, title: 'Rust developer (senior)' } });
  expect(await alertsFor('71')).toHaveLength(2);
  // INSTANT matches are announced, not kept.
  expect(await matchesOf(job.id)).toEqual([]);
});

it('alerts every INSTANT owner a new job matches, one event each, written to the outbox by one statement over node-postgres', async () => {
  const owners = ['61', '62', '63', '64', '65'];
  const searches = new Map<string, string>();
  for (const owner of owners) searches.set(owner, await save(owner, { name: `Axolotl ${owner}`, query: 'axolotl', alertFrequency: 'INSTANT' }));
  const second = await save('65', { name: 'Remote axolotl', query: 'axolotl', filters: { isRemote: true }, alertFrequency: 'INSTANT' });

  search.statements.length = 0;
  search.leanStatements.length = 0;
  search.preparedStatements.length = 0;
  const job = jobSnapshot({ title: 'Axolotl caretaker', isRemote: true });
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });

  expect(search.statements.filter((sql) => sql.includes('INSERT INTO "event_outbox"'))).toHaveLength(1);
  // The job index's consumer runs on node-postgres: the alerts' outbox rows go there, not through Prisma's client.
  expect(search.leanStatements.filter((sql) => sql.includes('INSERT INTO "event_outbox"'))).toHaveLength(1);
  // A fixed text, sent as a named prepared statement (the searches' texts, shaped per request, take no names from it).
  expect(search.preparedStatements.filter((sql) => sql.includes('INSERT INTO "event_outbox"'))).toHaveLength(1);
  // INSTANT matches are announced, not recorded: no statement writes a match.
  expect(search.statements.filter((sql) => sql.includes('INSERT INTO saved_search_digest_matches'))).toEqual([]);
  for (const owner of owners) {
    const expected = [{ savedSearchId: searches.get(owner), name: `Axolotl ${owner}`, jobIds: [job.id] }];
    if (owner === '65') expected.push({ savedSearchId: second, name: 'Remote axolotl', jobIds: [job.id] });
    expect(await alertsFor(owner)).toEqual([{ userId: owner, alertFrequency: 'instant', periodStart: null, periodEnd: null, matches: expected }]);
  }
});

it('matches with what any replica saved: saves and deletions made elsewhere, and a save that commits after a later one', async () => {
  // The matcher of a second process over the same database, as another replica of search holds one.
  const replica = createSavedSearchMatcher({ sql: search.service.sql });
  await replica.look();
  const narwhalJob = () => jobSnapshot({ title: 'Narwhal trainer' });
  expect((await matchRolledBack(narwhalJob(), replica)).matched).toBe(0);

  // Saved through this service (the other replica): the next match reads it.
  const saved = await save('91', { name: 'Narwhal', query: 'narwhal', alertFrequency: 'INSTANT' });
  expect(await matchRolledBack(narwhalJob(), replica)).toEqual({ tested: 1, matched: 1, instantAlerts: 1 });

  // A save that took its transaction id first and commits last: the matcher looks again from before it.
  const slow = new pg.Client({ connectionString: search.db.url });
  await slow.connect();
  try {
    await slow.query('BEGIN');
    await slow.query(
      `INSERT INTO saved_searches (user_id, name, query, alert_frequency, compiled_query) VALUES (92, 'Slow narwhal', 'narwhal', 'daily', websearch_to_tsquery('search_english', 'narwhal'))`,
    );
    await save('93', { name: 'Narwhal too', query: 'narwhal trainer', alertFrequency: 'DAILY' });
    expect((await matchRolledBack(narwhalJob(), replica)).matched).toBe(2);
    await slow.query('COMMIT');
  } finally {
    await slow.end();
  }
  expect((await matchRolledBack(narwhalJob(), replica)).matched).toBe(3);

  // Deleted through this service: gone from the other replica's next match.
  const deleted = await search.gql('mutation($id: ID!) { deleteSavedSearch(id: $id) }', { id: saved }, { token: 'user-91' });
  expect(deleted.data).toEqual({ deleteSavedSearch: true });
  expect(await matchRolledBack(narwhalJob(), replica)).toEqual({ tested: 2, matched: 2, instantAlerts: 0 });
  expect(replica.size).toBe((await search.db.query(`SELECT count(*)::int AS n FROM saved_searches WHERE alert_frequency <> 'never'`)).rows[0]!.n);
  await search.db.query('DELETE FROM saved_searches WHERE user_id IN (92, 93)');
  expect((await matchRolledBack(narwhalJob(), replica)).matched).toBe(0);
});

it("loads the saved searches on the consumer's own transaction, so that a first match never waits for another connection", async () => {
  await save('95', { name: 'Tapir', query: 'tapir', alertFrequency: 'INSTANT' });
  // A pool of one connection, held by the transaction that indexes the job: the load must use it.
  const pool = new pg.Pool({ connectionString: search.db.url, max: 1 });
  try {
    const sql = createLeanSql(pool);
    const matcher = createSavedSearchMatcher({ sql });
    const job = jobSnapshot({ title: 'Tapir keeper' });
    const result = await sql.transaction(async (lean) => {
      const tx = rawSqlOver(lean);
      await indexJob(tx, job, { version: Date.now(), deleted: false });
      const matched = await matcher.match(tx, job.id, { now: new Date() });
      await lean.query('ROLLBACK');
      await lean.query('BEGIN');
      return matched;
    });
    // The only saved search with the word "tapir", among those earlier tests left.
    expect(result).toMatchObject({ matched: 1, instantAlerts: 1 });
    expect(matcher.size).toBe((await search.db.query(`SELECT count(*)::int AS n FROM saved_searches WHERE alert_frequency <> 'never'`)).rows[0]!.n);
  } finally {
    await pool.end();
    await search.db.query('DELETE FROM saved_searches WHERE user_id = 95');
  }
});

it('reads new saved searches in the background, with no new job to match', async () => {
  const matcher = search.service.domain.savedSearchMatcher;
  const alerting = async () => (await search.db.query(`SELECT count(*)::int AS n FROM saved_searches WHERE alert_frequency <> 'never'`)).rows[0]!.n as number;
  for (let i = 0; i < 3; i += 1) await save('96', { name: `Capybara ${i}`, query: 'capybara', alertFrequency: 'WEEKLY' });
  const expected = await alerting();
  // The service's part looks every 5 s: the new searches are held before any job asks.
  await waitFor(
    'the matcher to read the new saved searches',
    async () => matcher.size,
    (size) => size === expected,
    15_000,
  );
  await search.db.query('DELETE FROM saved_searches WHERE user_id = 96');
});

it("adds a job's later matches to the ids already waiting, once each", async () => {
  const first = await save('97', { name: 'Pangolin', query: 'pangolin', alertFrequency: 'WEEKLY' });
  const job = jobSnapshot({ title: 'Pangolin ranger' });
  const waiting = await withJobIndexed(job, async (tx) => {
    const matcher = search.service.domain.savedSearchMatcher;
    await matcher.match(tx, job.id, { now: new Date() });
    // Saved and committed meanwhile: the next match of the same job finds it too.
    const second = await save('98', { name: 'Pangolin too', query: 'pangolin ranger', alertFrequency: 'WEEKLY' });
    await matcher.match(tx, job.id, { now: new Date() });
    const rows = await tx.$queryRawUnsafe<{ frequency: string; ids: string[] }[]>(
      'SELECT alert_frequency AS frequency, saved_search_ids::text[] AS ids FROM saved_search_digest_matches WHERE job_id = $1::bigint',
      job.id,
    );
    return { rows, second };
  });
  expect(waiting.rows).toEqual([{ frequency: 'weekly', ids: [first, waiting.second].sort((a, b) => Number(a) - Number(b)) }]);
  await search.db.query('DELETE FROM saved_searches WHERE user_id IN (97, 98)');
});

it('leaves a query it cannot test in Node to PostgreSQL', async () => {
  // Saved searches whose compiled query is not what websearch_to_tsquery writes: weights, and an OR inside a phrase.
  await search.db.query(
    `INSERT INTO saved_searches (user_id, name, query, alert_frequency, compiled_query)
     VALUES (94, 'In the title', 'okapi', 'daily', $$'okapi':A$$::tsquery), (94, 'In the description', 'okapi', 'daily', $$'okapi':D$$::tsquery),
            (94, 'Phrase of an OR', 'okapi keeper', 'daily', $$'okapi' <-> ('keeper' | 'senior')$$::tsquery),
            (94, 'Phrase of an AND', 'okapi keeper', 'daily', $$'okapi' <-> ('keeper' & 'senior')$$::tsquery)`,
  );
  const ids = new Map((await search.db.query<{ id: string; name: string }>('SELECT id::text, name FROM saved_searches WHERE user_id = 94')).rows.map((row) => [row.name, row.id]));
  const job = jobSnapshot({ title: 'Okapi keeper', description: 'Feeds them.' });
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });
  expect(await matchesOf(job.id)).toEqual([ids.get('In the title'), ids.get('Phrase of an OR')]);
  await search.db.query('DELETE FROM saved_searches WHERE user_id = 94');
});

it('sends one DAILY digest per owner after the day ends, leaves closed jobs out, and never sends it twice', async () => {
  const daily = await save('81', { name: 'Haskell daily', query: 'haskell', alertFrequency: 'DAILY' });
  const weekly = await save('81', { name: 'Haskell weekly', query: 'haskell', alertFrequency: 'WEEKLY' });
  const open = jobSnapshot({ title: 'Haskell engineer' });
  const closed = jobSnapshot({ title: 'Haskell researcher' });
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: open });
  await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: closed });
  await search.fromJobs('jobs.job.closed.v1', { actorId: '1', job: { ...closed, isActive: false }, reason: 'closed' });
  expect(await alertsFor('81')).toEqual([]);
  expect(await digestRowsOf(open.id)).toEqual(['daily', 'weekly']);

  const db = search.service.db;
  // The day has not ended yet: nothing is due.
  expect(await sendDueDigests(db, 'daily', new Date())).toBe(0);
  const tomorrow = new Date(Date.now() + 86_400_000);
  expect(await sendDueDigests(db, 'daily', tomorrow)).toBe(1);
  expect(await sendDueDigests(db, 'daily', tomorrow)).toBe(0);
  const [digest, ...more] = await alertsFor('81');
  expect(more).toEqual([]);
  expect(digest).toEqual({
    userId: '81',
    alertFrequency: 'daily',
    periodStart: expect.any(String),
    periodEnd: expect.any(String),
    matches: [{ savedSearchId: daily, name: 'Haskell daily', jobIds: [open.id] }],
  });
  expect(Date.parse(digest!.periodEnd!) - Date.parse(digest!.periodStart!)).toBe(86_400_000);
  // A digest deletes the matches it took, the closed job's included: only the WEEKLY ones wait.
  expect(await matchesOf(open.id)).toEqual([weekly]);
  expect(await matchesOf(closed.id)).toEqual([weekly]);
  expect(await digestRowsOf(open.id)).toEqual(['weekly']);

  // Two replicas at once: the second one's delete waits for the first, then finds nothing to send.
  const nextWeek = new Date(Date.now() + 8 * 86_400_000);
  expect((await Promise.all([sendDueDigests(db, 'weekly', nextWeek), sendDueDigests(db, 'weekly', nextWeek)])).sort()).toEqual([0, 1]);
  expect(await alertsFor('81')).toHaveLength(2);
  expect((await alertsFor('81')).at(-1)!.matches).toEqual([{ savedSearchId: weekly, name: 'Haskell weekly', jobIds: [open.id] }]);
  expect([...(await matchesOf(open.id)), ...(await matchesOf(closed.id))]).toEqual([]);
});

it(`keeps at most ${MAX_SAVED_SEARCHES_PER_USER} saved searches per user`, async () => {
  for (let i = 0; i < MAX_SAVED_SEARCHES_PER_USER - 5; i += 1) await save('91', { name: `Search ${i}`, query: `word${i}` });
  // Ten at once at the boundary: five fit, five are refused.
  const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => search.gql(SAVE, { input: { name: `Burst ${i}`, query: 'more' } }, { token: 'user-91' })));
  expect(burst.filter((response) => !response.errors)).toHaveLength(5);
  expect(burst.filter((response) => response.errors).map((response) => response.errors![0]!.extensions!.code)).toEqual(Array(5).fill('CONFLICT'));
  expect((await search.db.query('SELECT count(*)::int AS n FROM saved_searches WHERE user_id = 91')).rows[0]!.n).toBe(MAX_SAVED_SEARCHES_PER_USER);
  expect(await save('92', { name: 'Someone else', query: 'more' })).toBeDefined();
});

it('erases a user: history, saved searches and searcher marks go, the counts stay, and a second run finds nothing', async () => {
  const SEARCH = 'query($q: String) { searchJobs(query: $q) { totalCount } }';
  await search.gql(SEARCH, { q: 'otter' }, { token: 'user-95' });
  await save('95', { name: 'Otters', query: 'otter', alertFrequency: 'DAILY' });
  const { publishEvent, waitFor } = await import('@jobplatform/testing');
  for (let run = 0; run < 2; run += 1) {
    await publishEvent(search.nats, 'users', 'users.user.deleted.v1', { userId: '95', requestedAt: new Date().toISOString() });
    await waitFor(
      'the erasure reply',
      async () => (await search.outbox('search.user_erasure.completed.v1')).length,
      (n) => n === run + 1,
    );
  }
  const replies = (await search.outbox('search.user_erasure.completed.v1')).map((event) => event.data.summary);
  expect(replies).toEqual([
    { deletedSearchHistory: 1, deletedSavedSearches: 1, deletedSearcherMarks: 1 },
    { deletedSearchHistory: 0, deletedSavedSearches: 0, deletedSearcherMarks: 0 },
  ]);
  expect((await search.db.query("SELECT search_count, distinct_users FROM search_analytics WHERE query = 'otter'")).rows).toEqual([{ search_count: 1, distinct_users: 1 }]);
});
