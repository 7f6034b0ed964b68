import { readFileSync } from 'node:fs';
import { errorCodeOf, startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from '@jobplatform/testing';

// users, jobs and search behind the real gateway on one nats-server: jobs' events build search's
// read model, and clients run the contract's search operations through the gateway.

const operations = readFileSync(new URL('../../../schema/operations/search.graphql', import.meta.url), 'utf8');
const jobsOperations = readFileSync(new URL('../../../schema/operations/jobs.graphql', import.meta.url), 'utf8');

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;

/** One of the contract's search operations, by name, as `account` (anonymous without one). */
const run = (operationName: string, variables: Record<string, unknown> = {}, account?: Account) =>
  platform.gql(operations, variables, { operationName, ...(account ? { token: account.accessToken } : {}) });
const ok = async (operationName: string, variables: Record<string, unknown> = {}, account?: Account) => {
  const response = await run(operationName, variables, account);
  expect({ operationName, errors: response.errors }).toEqual({ operationName, errors: undefined });
  return response.data as Record<string, any>;
};

async function postJob(input: Record<string, unknown>): Promise<string> {
  const response = await platform.gql(
    jobsOperations,
    { input: { companyId, description: 'Work with us.', ...input } },
    { operationName: 'CreateJob', token: employer.accessToken },
  );
  expect(response.errors).toBeUndefined();
  return (response.data as any).createJob.id;
}

const searchable = (query: string, jobId: string) =>
  waitFor(
    `job ${jobId} in search results for "${query}"`,
    async () => (await ok('SearchJobs', { query })).searchJobs.edges.map((edge: any) => edge.node.id) as string[],
    (found) => found.includes(jobId),
  );

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs', 'search'] });
  employer = await platform.replicated(await platform.employer(), 'jobs');
  const created = await platform.gql(
    jobsOperations,
    { input: { name: 'Orca Analytics', industry: 'Marine data', location: 'Bergen', logo: 'https://orca.example/logo.png' } },
    { operationName: 'CreateCompany', token: employer.accessToken },
  );
  companyId = (created.data as any).createCompany.id;
});
afterAll(async () => {
  await platform?.close();
});

it('runs the contract search operations end to end: a job posted at jobs is found with its facets, company and highlight', async () => {
  const jobId = await postJob({
    title: 'Narwhal data scientist',
    requirements: 'Python and statistics',
    jobType: 'CONTRACT',
    salaryMin: 70000,
    salaryMax: 90000,
    salaryCurrency: 'EUR',
    location: 'Bergen',
    skills: [{ name: 'Python' }],
  });
  const internId = await postJob({ title: 'Narwhal intern', jobType: 'INTERNSHIP', location: 'Oslo' });
  // Events keep their order per job, not across jobs: the internship may be indexed after the other.
  await searchable('narwhal', jobId);
  await searchable('narwhal', internId);

  const { searchJobs } = await ok('SearchJobs', { query: 'narwhal scientist', filter: { jobTypes: ['CONTRACT'] }, sort: 'RELEVANCE', first: 10 });
  expect(searchJobs.totalCount).toBe(1);
  expect(searchJobs.edges[0]).toMatchObject({
    score: expect.any(Number),
    // The words matched the title: the extract is the start of the description and requirements.
    highlight: 'Work with us.\nPython and statistics',
    node: {
      id: jobId,
      title: 'Narwhal data scientist',
      jobType: 'CONTRACT',
      salaryMin: 70000,
      salaryMax: 90000,
      salaryCurrency: 'EUR',
      company: { id: companyId, name: 'Orca Analytics', logo: 'https://orca.example/logo.png' },
    },
  });
  const withBody = await ok('SearchJobs', { query: 'statistics' });
  expect(withBody.searchJobs.edges[0].highlight).toContain('<mark>statistics</mark>');
  // Disjunctive: the type facet still shows the internship that the CONTRACT filter leaves out.
  const narwhals = await ok('SearchJobs', { query: 'narwhal', filter: { jobTypes: ['CONTRACT'] } });
  expect(narwhals.searchJobs.facets.jobType).toEqual([
    { value: 'CONTRACT', count: 1 },
    { value: 'INTERNSHIP', count: 1 },
  ]);
  expect(narwhals.searchJobs.facets.skill).toEqual([{ value: expect.any(String), count: 1 }]);

  expect((await ok('SearchCompanies', { query: 'orca', first: 5 })).searchCompanies).toEqual({
    totalCount: 1,
    edges: [{ node: { id: companyId, name: 'Orca Analytics', industry: 'Marine data', location: 'Bergen' } }],
  });
  expect((await ok('SearchSuggestions', { prefix: 'narw', limit: 5 })).searchSuggestions).toEqual(expect.arrayContaining(['Narwhal data scientist', 'Narwhal intern']));
  // Misspelt: similar titles still come.
  expect((await ok('SearchSuggestions', { prefix: 'narwhel', limit: 5 })).searchSuggestions.length).toBeGreaterThan(0);

  // Closing the job at jobs takes it out of search.
  expect((await platform.gql(jobsOperations, { id: jobId }, { operationName: 'CloseJob', token: employer.accessToken })).errors).toBeUndefined();
  await waitFor(
    'the closed job to leave search',
    async () => (await ok('SearchJobs', { query: 'narwhal scientist' })).searchJobs.totalCount,
    (n) => n === 0,
  );
});

it("keeps a signed-in user's searches in their history, for them alone, and clears it", async () => {
  const seeker = await platform.jobSeeker();
  const other = await platform.jobSeeker();
  await ok('SearchJobs', { query: 'Beluga keeper', filter: { isRemote: true } }, seeker);
  await ok('SearchJobs', { query: 'anonymous search' });

  const mine = await ok('MySearchHistory', { first: 10 }, seeker);
  expect(mine.me.searchHistory.edges.map((edge: any) => edge.node)).toEqual([
    { id: expect.any(String), query: 'Beluga keeper', filters: { isRemote: true }, resultsCount: 0, createdAt: expect.any(String) },
  ]);
  const theirs = await platform.gql(
    'query($id: ID!) { user(id: $id) { id searchHistory { edges { node { query } } } savedSearches { id } } }',
    { id: seeker.id },
    { token: other.accessToken },
  );
  expect(theirs.errors).toBeUndefined();
  expect((theirs.data as any).user).toEqual({ id: seeker.id, searchHistory: null, savedSearches: null });

  expect((await ok('ClearSearchHistory', {}, seeker)).clearSearchHistory).toBe(1);
  expect((await ok('MySearchHistory', {}, seeker)).me.searchHistory.edges).toEqual([]);
  expect(errorCodeOf(await run('ClearSearchHistory'))).toBe('UNAUTHENTICATED');
});

it('lists a popular search only once three different users searched it, and publishes every search without who made it', async () => {
  const [a, b, c] = [await platform.jobSeeker(), await platform.jobSeeker(), await platform.jobSeeker()];
  await ok('SearchJobs', { query: 'Walrus Trainer' }, a);
  await ok('SearchJobs', { query: 'walrus   trainer' }, a);
  await ok('SearchJobs', { query: 'walrus trainer' }, b);
  const popular = async () => (await ok('PopularSearches', { limit: 50 })).popularSearches.map((entry: any) => entry.query) as string[];
  expect(await popular()).not.toContain('walrus trainer');
  await ok('SearchJobs', { query: 'walrus trainer' }, c);
  expect((await ok('PopularSearches', { limit: 50 })).popularSearches).toContainEqual({ query: 'walrus trainer', searchCount: 4, lastSearchedAt: expect.any(String) });

  const events = await waitFor(
    'search.search.performed.v1 on the SEARCH stream',
    async () => (await platform.service('search').published('search.search.performed.v1')).filter((event) => event.data.query === 'walrus trainer'),
    (found) => found.length === 4,
  );
  for (const event of events) expect(Object.keys(event.data).sort()).toEqual(['kind', 'query', 'resultCount', 'searchedAt']);
});

it('saves searches for their owner, alerts at once when a new job matches an INSTANT one, and deletes them', async () => {
  const seeker = await platform.jobSeeker();
  const saved = (await ok('SaveSearch', { input: { name: 'Seal jobs', query: 'seal handler', filters: { isRemote: true }, alertFrequency: 'INSTANT' } }, seeker)).saveSearch;
  expect(saved).toEqual({
    id: expect.any(String),
    name: 'Seal jobs',
    query: 'seal handler',
    filters: { isRemote: true },
    alertFrequency: 'INSTANT',
    createdAt: expect.any(String),
  });
  expect((await ok('MySavedSearches', {}, seeker)).me.savedSearches).toEqual([
    { id: saved.id, name: 'Seal jobs', query: 'seal handler', filters: { isRemote: true }, alertFrequency: 'INSTANT' },
  ]);

  const onSite = await postJob({ title: 'Seal handler', isRemote: false });
  const remote = await postJob({ title: 'Seal handler', isRemote: true });
  const alerts = await waitFor(
    'an instant alert for the remote seal job',
    async () => (await platform.service('search').published('search.saved_search.matched.v1')).filter((event) => event.data.userId === seeker.id),
    (found) => found.length > 0,
  );
  expect(alerts.map((event) => event.data)).toEqual([
    { userId: seeker.id, alertFrequency: 'instant', periodStart: null, periodEnd: null, matches: [{ savedSearchId: saved.id, name: 'Seal jobs', jobIds: [remote] }] },
  ]);
  await searchable('seal handler', onSite);

  const other = await platform.jobSeeker();
  expect((await ok('DeleteSavedSearch', { id: saved.id }, other)).deleteSavedSearch).toBe(false);
  expect((await ok('DeleteSavedSearch', { id: saved.id }, seeker)).deleteSavedSearch).toBe(true);
  expect((await ok('MySavedSearches', {}, seeker)).me.savedSearches).toEqual([]);
  const bad = await run('SaveSearch', { input: { name: ' ', query: 'x'.repeat(201) } }, seeker);
  expect(errorCodeOf(bad)).toBe('BAD_USER_INPUT');
  expect(bad.errors![0]!.extensions!.fields).toEqual([{ field: 'input.name', message: 'must not be empty' }]);
});

it("takes part in account erasure: the user's history and saved searches go, the popular counts stay", async () => {
  const [a, b, leaving] = [await platform.jobSeeker(), await platform.jobSeeker(), await platform.jobSeeker()];
  for (const account of [a, b, leaving]) await ok('SearchJobs', { query: 'dolphin trainer' }, account);
  await ok('SaveSearch', { input: { name: 'Dolphins', query: 'dolphin', alertFrequency: 'DAILY' } }, leaving);

  expect((await platform.gql('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: leaving.password }, { token: leaving.accessToken })).errors).toBeUndefined();
  const search = platform.service('search');
  const reply = await waitFor(
    "search's reply in the erasure saga",
    async () => (await search.outbox('search.user_erasure.completed.v1')).find((event) => event.data.userId === leaving.id),
    (found) => found !== undefined,
  );
  expect(reply!.data.summary).toEqual({ deletedSearchHistory: 1, deletedSavedSearches: 1, deletedSearcherMarks: 1 });
  for (const table of ['search_history', 'saved_searches', 'search_analytics_searchers']) {
    expect((await search.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [leaving.id])).rows[0]!.n).toBe(0);
  }
  expect((await ok('PopularSearches', { limit: 50 })).popularSearches).toContainEqual({ query: 'dolphin trainer', searchCount: 3, lastSearchedAt: expect.any(String) });
});
