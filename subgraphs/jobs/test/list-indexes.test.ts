import { startPlatformForTest, type Account, type PlatformUnderTest } from './start-jobs.js';

// Lists never show deleted jobs, and the indexes that lists and counts read alone hold only the jobs
// that are not deleted (`WHERE deleted_at IS NULL`). A partial index serves a statement only when
// the statement's own conditions imply the index's, so this checks, with the statements the service
// really sends, that each still can be an index-only scan of its index (see docs/benchmarks.md).

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;

beforeAll(async () => {
  platform = await startPlatformForTest();
  employer = await platform.employer();
  companyId = (await platform.ok('mutation { createCompany(input: { name: "Indexed" }) { id } }', {}, employer)).createCompany.id;
  await platform.ok('mutation($input: CreateJobInput!) { createJob(input: $input) { id } }', { input: { companyId, title: 'Indexed job', description: 'x' } }, employer);
});
afterAll(async () => {
  await platform.close();
});

/** The statements the service sends for a query, matched by a pattern. */
async function statementsOf(query: string, variables: Record<string, unknown>, pattern: RegExp): Promise<string[]> {
  platform.jobs.statements.length = 0;
  platform.jobs.leanStatements.length = 0;
  await platform.ok(query, variables, employer);
  const matching = platform.jobs.statements.filter((sql) => pattern.test(sql));
  expect(matching.length).toBeGreaterThan(0);
  return matching;
}

/** The plan PostgreSQL would use for any parameters, with the other ways to read the table priced out. */
async function genericPlan(sql: string): Promise<string> {
  // One round trip, so that the settings and the plan share a connection and a transaction.
  const results = (await platform.jobs.db.query(
    `BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = off; EXPLAIN (GENERIC_PLAN) ${sql}; ROLLBACK`,
  )) as unknown as { command: string; rows: { 'QUERY PLAN': string }[] }[];
  return results
    .find((result) => result.command === 'EXPLAIN')!
    .rows.map((row) => row['QUERY PLAN'])
    .join('\n');
}

it('counts jobs(filter:) from jobs_filter_count_idx alone, open, closed or both', async () => {
  for (const isActive of [true, false, null]) {
    const filter = { isActive, jobTypes: ['FULL_TIME', 'CONTRACT'], experienceLevels: ['ENTRY'], salaryMin: 1000, salaryMax: 900000, salaryCurrency: 'USD', isRemote: false };
    const [count] = await statementsOf('query($filter: JobFilter) { jobs(filter: $filter, first: 5) { totalCount } }', { filter }, /^SELECT count\(\*\)::int AS n FROM jobs j\b/);
    expect(count).toMatch(/j\.deleted_at IS NULL/);
    expect(platform.jobs.leanStatements).toContain(count);
    expect(await genericPlan(count!)).toMatch(/Index Only Scan using jobs_filter_count_idx/);
  }
});

it("pages and counts a company's jobs and an employer's postings from their indexes alone", async () => {
  const company = await statementsOf(
    'query($id: ID!) { company(id: $id) { jobs(first: 5, isActive: null) { totalCount edges { node { id } } } } }',
    { id: companyId },
    /FROM jobs\b/,
  );
  const posted = await statementsOf('{ me { postedJobs(first: 5) { totalCount edges { node { id } } } } }', {}, /FROM jobs\b/);
  for (const [sql, index] of [
    ...company.map((sql) => [sql, 'jobs_company_id_created_at_id_is_active_idx']),
    ...posted.map((sql) => [sql, 'jobs_employer_id_created_at_id_is_active_idx']),
  ]) {
    expect(sql).toMatch(/deleted_at IS NULL/);
    expect(await genericPlan(sql!)).toMatch(new RegExp(`Index Only Scan using ${index}`));
  }
});
