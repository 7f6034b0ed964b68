import { errorCodeOf } from '@jobplatform/testing';
import type { SqlFragment } from '@jobplatform/service-runtime';
import { indexJob } from '../src/job-index.js';
import { createJobSearch } from '../src/job-search.js';
import { parseJobFilter } from '../src/search-input.js';
import { companySnapshot, jobSnapshot, startSearchForTest, SEARCH_JOBS, type SearchUnderTest } from './search-fixtures.js';

// search alone: its read model kept from jobs' events published on its nats-server, searched
// straight at the subgraph.

let search: SearchUnderTest;
type PlanNode = { 'Subplan Name'?: string; 'Actual Rows': number; Plans?: PlanNode[] };
const ids = (page: { edges: { node: { id: string } }[] }) => page.edges.map((edge) => edge.node.id);

beforeAll(async () => {
  search = await startSearchForTest();
});
afterAll(async () => {
  await search?.close();
});

describe('the read model', () => {
  it('indexes a new job from its event, weighs the title above the description, and shows the fields a result needs', async () => {
    const company = companySnapshot({ name: 'Zephyr Labs', logo: 'https://zephyr.example/logo.png' });
    await search.fromJobs('jobs.company.created.v1', { actorId: '1', company });
    const titled = jobSnapshot({
      title: 'Kubernetes platform engineer',
      description: 'Run our clusters.',
      companyId: company.id,
      companyName: company.name,
      location: 'Zürich',
      salaryMin: '90000.00',
      salaryMax: '120000.50',
      salaryCurrency: 'CHF',
      jobType: 'contract',
      experienceLevel: 'senior',
      isRemote: true,
    });
    const mentioned = jobSnapshot({ title: 'Backend developer', description: 'You will sometimes touch kubernetes manifests.' });
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: titled });
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: mentioned });

    const page = await search.searchJobs({ query: 'kubernetes' });
    expect(ids(page)).toEqual([titled.id, mentioned.id]);
    expect(page.totalCount).toBe(2);
    expect(page.edges[0].score).toBeGreaterThan(page.edges[1].score);
    expect(page.edges[0].node).toEqual({
      id: titled.id,
      title: 'Kubernetes platform engineer',
      location: 'Zürich',
      isRemote: true,
      jobType: 'CONTRACT',
      experienceLevel: 'SENIOR',
      salaryMin: 90000,
      salaryMax: 120000.5,
      salaryCurrency: 'CHF',
      createdAt: titled.createdAt,
      company: { id: company.id, name: 'Zephyr Labs', logo: 'https://zephyr.example/logo.png' },
    });
    expect(page.edges[1].highlight).toContain('<mark>kubernetes</mark>');

    // Accents fold on both sides; the company name and the location are searchable too.
    expect(ids(await search.searchJobs({ query: 'zurich' }))).toEqual([titled.id]);
    expect(ids(await search.searchJobs({ query: 'zephyr' }))).toEqual([titled.id]);
    // The location filter folds both sides too: "contains", without case or accents.
    expect(ids(await search.searchJobs({ filter: { location: 'ZURICH' } }))).toEqual([titled.id]);
    expect(ids(await search.searchJobs({ filter: { location: 'zür' } }))).toEqual([titled.id]);
  });

  it('drops closed and deleted jobs from results, and an older event delivered late does not bring one back', async () => {
    const closed = jobSnapshot({ title: 'Quokka keeper' });
    const deleted = jobSnapshot({ title: 'Quokka feeder' });
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: closed });
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: deleted });
    expect((await search.searchJobs({ query: 'quokka' })).totalCount).toBe(2);

    await search.fromJobs('jobs.job.closed.v1', { actorId: '1', job: { ...closed, isActive: false }, reason: 'closed' });
    await search.fromJobs('jobs.job.deleted.v1', { actorId: '1', job: { ...deleted, isActive: false } });
    expect((await search.searchJobs({ query: 'quokka' })).totalCount).toBe(0);

    await search.fromJobs('jobs.job.updated.v1', { actorId: '1', job: { ...closed, title: 'Quokka keeper (old)' } }, new Date(Date.now() - 60_000));
    expect((await search.searchJobs({ query: 'quokka' })).totalCount).toBe(0);
  });

  it("follows a company's new name into its jobs' documents", async () => {
    const company = companySnapshot({ name: 'Oldname Widgets' });
    await search.fromJobs('jobs.company.created.v1', { actorId: '1', company });
    const job = jobSnapshot({ title: 'Widget tester', companyId: company.id, companyName: company.name });
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });
    await search.fromJobs('jobs.company.updated.v1', { actorId: '1', company: { ...company, name: 'Brandnew Gadgets' } });

    expect(ids(await search.searchJobs({ query: 'brandnew' }))).toEqual([job.id]);
    expect((await search.searchJobs({ query: 'oldname' })).totalCount).toBe(0);
    expect((await search.searchJobs({ query: 'brandnew' })).edges[0].node.company.name).toBe('Brandnew Gadgets');
  });
  it('indexes jobs naming the same skills and categories in concurrent transactions without one waiting for the other, and still follows a renamed one', async () => {
    const skills = [
      { id: '631', name: 'Tapir tracking', isRequired: true },
      { id: '632', name: 'Tapir feeding', isRequired: false },
    ];
    const category = { id: '641', name: 'Tapir care', parentId: null };
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: jobSnapshot({ title: 'Tapir keeper', skills, categories: [category] }) });

    // One transaction indexes a job and stays open; another indexes a job naming the same rows the other way round.
    const db = search.service.db;
    let indexed!: () => void;
    let release!: () => void;
    const firstIndexed = new Promise<void>((resolve) => (indexed = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.$transaction(async (tx) => {
      await indexJob(tx, jobSnapshot({ title: 'Tapir keeper', skills, categories: [category] }), { version: Date.now(), deleted: false });
      indexed();
      await held;
    });
    await firstIndexed;
    const second = db.$transaction((tx) =>
      indexJob(tx, jobSnapshot({ title: 'Tapir keeper', skills: [...skills].reverse(), categories: [category] }), { version: Date.now(), deleted: false }),
    );
    const outcome = await Promise.race([second.then(() => 'indexed'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 2_000))]);
    release();
    await Promise.all([first, second]);
    expect(outcome).toBe('indexed');

    // A new name still reaches the facet labels.
    const renamed = jobSnapshot({ title: 'Tapir keeper', skills: [{ ...skills[0]!, name: 'Tapir tracing' }], categories: [{ ...category, name: 'Tapir welfare' }] });
    await search.fromJobs('jobs.job.created.v1', { actorId: '1', job: renamed });
    const { facets } = await search.searchJobs({ query: 'tapir' });
    expect(facets.skill).toContainEqual({ value: '631', label: 'Tapir tracing', count: 4 });
    expect(facets.category).toEqual([{ value: '641', label: 'Tapir welfare', count: 4 }]);
  });
});

describe('searchJobs', () => {
  const skill = (id: string, name: string) => ({ id, name, isRequired: false });
  let contractJob: string;
  let fullTimeJob: string;
  let partTimeJob: string;

  beforeAll(async () => {
    const parent = { id: '501', name: 'Engineering', parentId: null };
    const child = { id: '502', name: 'Data engineering', parentId: '501' };
    const jobs = [
      jobSnapshot({
        title: 'Pangolin data engineer',
        jobType: 'contract',
        categories: [child],
        skills: [skill('601', 'Python')],
        location: 'Berlin',
        salaryMin: '60000.00',
        salaryMax: '80000.00',
      }),
      jobSnapshot({
        title: 'Pangolin platform engineer',
        jobType: 'full_time',
        categories: [parent],
        skills: [skill('602', 'Go')],
        location: 'Berlin',
        salaryMin: '90000.00',
        salaryMax: '110000.00',
        isRemote: true,
      }),
      jobSnapshot({ title: 'Pangolin support engineer', jobType: 'part_time', skills: [skill('601', 'Python')], location: 'Lisbon', salaryMin: '30000.00' }),
    ];
    for (const job of jobs) await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });
    [contractJob, fullTimeJob, partTimeJob] = jobs.map((job) => job.id) as [string, string, string];
  });

  it('counts facets disjunctively: each facet ignores its own filter and obeys the others', async () => {
    const page = await search.searchJobs({ query: 'pangolin', filter: { jobTypes: ['CONTRACT'] } });
    expect(ids(page)).toEqual([contractJob]);
    expect(page.totalCount).toBe(1);
    // The job type facet still counts every type the other filters allow.
    expect(page.facets.jobType).toEqual([
      { value: 'FULL_TIME', label: 'FULL_TIME', count: 1 },
      { value: 'PART_TIME', label: 'PART_TIME', count: 1 },
      { value: 'CONTRACT', label: 'CONTRACT', count: 1 },
    ]);
    // The others count the contract job only.
    expect(page.facets.location).toEqual([{ value: 'Berlin', count: 1 }]);
    expect(page.facets.skill).toEqual([{ value: '601', label: 'Python', count: 1 }]);
    expect(page.facets.isRemote).toEqual([{ value: 'false', count: 1 }]);

    const both = await search.searchJobs({ query: 'pangolin', filter: { jobTypes: ['CONTRACT'], location: 'lisbon' } });
    expect(both.totalCount).toBe(0);
    expect(both.facets.jobType).toEqual([{ value: 'PART_TIME', label: 'PART_TIME', count: 1 }]);
    expect(both.facets.location).toEqual([{ value: 'Berlin', count: 1 }]);

    const salaries = (await search.searchJobs({ query: 'pangolin', filter: { salaryMin: 85000, salaryCurrency: 'EUR' } })).facets.salary;
    expect(salaries).toEqual([
      { min: 25000, max: 50000, count: 1 },
      { min: 75000, max: 100000, count: 1 },
      { min: 100000, max: 150000, count: 1 },
    ]);
  });

  it('reads only the jobs that can count: one failing two of the filters is in no facet, so the statement leaves it out', async () => {
    // The rows the statement's set of matching jobs (its CTE "base") held, read from its plan.
    const baseRows: number[] = [];
    const rowsOf = (node: PlanNode): number | undefined =>
      node['Subplan Name'] === 'CTE base' ? node['Actual Rows'] : (node.Plans ?? []).map(rowsOf).find((rows) => rows !== undefined);
    const jobSearch = createJobSearch({
      rows: async <Row>(sql: SqlFragment | string, values?: readonly unknown[]) => {
        const [explained] = (await search.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql as string}`, [...(values ?? [])])).rows;
        baseRows.push(rowsOf(explained!['QUERY PLAN'][0].Plan)!);
        return (await search.db.query(sql as string, [...(values ?? [])])).rows as Row[];
      },
    });
    const request = (filter: Record<string, unknown>) => ({ query: 'pangolin', filter: parseJobFilter(filter), sort: 'RELEVANCE' as const, first: 20, after: undefined });
    // Contract on site passes both; part time on site fails the type only; full time remote fails both.
    const both = await jobSearch.search(request({ jobTypes: ['CONTRACT'], isRemote: false }), { withFacets: true }, new Date());
    expect(both.hits.map((hit) => hit.id.toString())).toEqual([contractJob]);
    expect(both.counts.facets!.jobType).toEqual([
      { value: 'PART_TIME', label: 'PART_TIME', count: 1 },
      { value: 'CONTRACT', label: 'CONTRACT', count: 1 },
    ]);
    expect(both.counts.facets!.isRemote).toEqual([{ value: 'false', label: 'false', count: 1 }]);
    expect(baseRows).toEqual([2]);
    // With one filter every job the words match can count in its facet.
    await jobSearch.search(request({ jobTypes: ['CONTRACT'] }), { withFacets: true }, new Date());
    expect(baseRows).toEqual([2, 3]);
  });

  it('answers from the open jobs in memory: PostgreSQL reads no matching job, only turns the words into lexemes before and writes the page after', async () => {
    await search.service.domain.jobTextIndex!.load();
    const metrics = await (await fetch(new URL('/metrics', search.service.url))).text();
    expect(metrics).toMatch(/^search_job_index_loaded\{service="search"\} 1$/m);
    expect(metrics).toMatch(new RegExp(`^search_job_index_jobs\\{service="search"\\} ${search.service.domain.jobTextIndex!.size}$`, 'm'));
    const kinds = (statements: string[]) => ({
      // A statement that tests the words on the read model's rows (full text or similarity).
      matching: statements.filter((sql) => /@@|<%/.test(sql)).length,
      prepare: statements.filter((sql) => sql.includes('websearch_to_tsquery') && sql.includes('JOIN below')).length,
      page: statements.filter((sql) => sql.includes('WITH ORDINALITY AS p(id, ord)')).length,
    });
    search.statements.length = 0;
    search.leanStatements.length = 0;
    search.preparedStatements.length = 0;
    const page = await search.searchJobs({ query: 'pangolin engineer', filter: { categoryIds: ['501'], skillIds: ['601', '602'] }, first: 1 });
    expect(page.totalCount).toBe(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.facets.category.map((value: { label: string }) => value.label).sort()).toEqual(['Data engineering', 'Engineering']);
    expect(kinds(search.statements)).toEqual({ matching: 0, prepare: 1, page: 1 });
    // Both are fixed texts over node-postgres, prepared once per connection.
    expect(kinds(search.preparedStatements)).toEqual({ matching: 0, prepare: 1, page: 1 });
    // The index read what changed since it last looked before answering.
    expect(search.leanStatements.some((sql) => sql.includes('changed_xid >= $1'))).toBe(true);

    // A next page, and a misspelt query found by similarity in PostgreSQL after the index found nothing.
    search.statements.length = 0;
    await search.searchJobs({ query: 'pangolin engineer', filter: { categoryIds: ['501'], skillIds: ['601', '602'] }, first: 1, after: page.pageInfo.endCursor });
    expect(kinds(search.statements)).toEqual({ matching: 0, prepare: 1, page: 1 });
    search.statements.length = 0;
    expect((await search.searchJobs({ query: 'pangolim' })).totalCount).toBe(3);
    expect(kinds(search.statements)).toEqual({ matching: 1, prepare: 1, page: 1 });
  });

  it('filters a category with its sub-categories, skills, remote and salary', async () => {
    expect(ids(await search.searchJobs({ query: 'pangolin', filter: { categoryIds: ['501'] }, sort: 'NEWEST' })).sort()).toEqual([contractJob, fullTimeJob].sort());
    expect(ids(await search.searchJobs({ query: 'pangolin', filter: { categoryIds: ['502'] } }))).toEqual([contractJob]);
    expect(ids(await search.searchJobs({ query: 'pangolin', filter: { skillIds: ['601'], isRemote: false }, sort: 'SALARY_HIGH' }))).toEqual([contractJob, partTimeJob]);
    expect(ids(await search.searchJobs({ query: 'pangolin', filter: { salaryMin: 85000, salaryCurrency: 'EUR' } }))).toEqual([fullTimeJob]);
    expect(ids(await search.searchJobs({ query: 'pangolin', filter: { salaryMin: 85000, salaryCurrency: 'USD' } }))).toEqual([]);
  });

  it('pages every sort with stable cursors: each job once, in order', async () => {
    for (const sort of ['RELEVANCE', 'NEWEST', 'SALARY_HIGH', 'SALARY_LOW']) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await search.searchJobs({ query: 'pangolin', sort, first: 1, after });
        seen.push(...ids(page));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
      if (sort === 'SALARY_HIGH') expect(seen).toEqual([fullTimeJob, contractJob, partTimeJob]);
      if (sort === 'SALARY_LOW') expect(seen).toEqual([partTimeJob, contractJob, fullTimeJob]);
    }
  });

  it('pages a search without a query, newest first, to the end', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await search.searchJobs({ first: 2, after });
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await search.searchJobs({})).totalCount);
    expect(seen.slice(0, 3).sort()).toEqual([contractJob, fullTimeJob, partTimeJob].sort());
  });

  it('finds a misspelt word by similarity', async () => {
    const page = await search.searchJobs({ query: 'pangolim' });
    expect(ids(page).sort()).toEqual([contractJob, fullTimeJob, partTimeJob].sort());
    expect(page.totalCount).toBe(3);
  });

  it('reads operators and punctuation as text, never as an error', async () => {
    for (const query of ["'); DROP TABLE search_indexes; --", '"unbalanced', '&', '|', '!', ':*', '(((', 'a & | ! b', '\\', '%_', '-', 'OR', '\u0000x']) {
      const response = await search.gql(SEARCH_JOBS, { query });
      expect({ query, errors: response.errors }).toEqual({ query, errors: undefined });
    }
    expect((await search.searchJobs({ query: 'pangolin' })).totalCount).toBe(3);
  });

  it('refuses a query over 200 characters, a page over 100, a bad cursor and bad filters as BAD_USER_INPUT naming the field', async () => {
    const long = await search.gql(SEARCH_JOBS, { query: 'x'.repeat(201) });
    expect(errorCodeOf(long)).toBe('BAD_USER_INPUT');
    expect(long.errors![0]!.extensions!.fields).toEqual([{ field: 'query', message: 'must be at most 200 characters' }]);
    // The whole contract selection, facets included, is within the cost limit at 100 and refused by the rule at 101.
    expect((await search.gql(SEARCH_JOBS, { query: 'pangolin', first: 100 })).errors).toBeUndefined();
    const big = await search.gql(SEARCH_JOBS, { query: 'pangolin', first: 101 });
    expect(big.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'first', message: 'must be from 1 to 100' }] });
    const cursor = await search.gql(SEARCH_JOBS, { query: 'pangolin', after: 'not-a-cursor' });
    expect(cursor.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'after' }] });
    // A cursor of another sort is not a position in this one.
    const newest = await search.searchJobs({ query: 'pangolin', sort: 'NEWEST', first: 1 });
    const mixed = await search.gql(SEARCH_JOBS, { query: 'pangolin', sort: 'SALARY_LOW', after: newest.pageInfo.endCursor });
    expect(errorCodeOf(mixed)).toBe('BAD_USER_INPUT');
    const filter = await search.gql(SEARCH_JOBS, { filter: { salaryMin: 10, categoryIds: ['x'], postedWithinDays: 0 } });
    expect(filter.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: expect.arrayContaining([
        { field: 'filter.categoryIds.0', message: 'is not a valid id' },
        { field: 'filter.postedWithinDays', message: 'must be from 1 to 365' },
        expect.objectContaining({ field: 'filter.salaryCurrency' }),
      ]),
    });
  });

  it('lists category, skill and location values most frequent first, ties by id (categories, skills) or text (locations)', async () => {
    const categories = [
      { id: '621', name: 'Okapi care', parentId: null },
      { id: '622', name: 'Okapi feeding', parentId: null },
      { id: '623', name: 'Okapi research', parentId: null },
    ];
    const skills = [skill('611', 'Okapi handling'), skill('612', 'Okapi nutrition'), skill('613', 'Okapi tracking')];
    // The job naming every category and skill comes last, so the rows of the rarest are written last.
    const jobs = [
      jobSnapshot({ title: 'Okapi keeper', categories: categories.slice(2), skills: skills.slice(2), location: 'Kinshasa' }),
      jobSnapshot({ title: 'Okapi keeper', categories: categories.slice(1), skills: skills.slice(1), location: 'Kinshasa' }),
      jobSnapshot({ title: 'Okapi keeper', categories: [categories[2]!, categories[0]!, categories[1]!], skills: [skills[2]!, skills[0]!, skills[1]!], location: 'Epulu' }),
      jobSnapshot({ title: 'Okapi keeper', location: 'Bunia' }),
    ];
    for (const job of jobs) await search.fromJobs('jobs.job.created.v1', { actorId: '1', job });

    const { facets } = await search.searchJobs({ query: 'okapi' });
    expect(facets.category).toEqual([
      { value: '623', label: 'Okapi research', count: 3 },
      { value: '622', label: 'Okapi feeding', count: 2 },
      { value: '621', label: 'Okapi care', count: 1 },
    ]);
    expect(facets.skill).toEqual([
      { value: '613', label: 'Okapi tracking', count: 3 },
      { value: '612', label: 'Okapi nutrition', count: 2 },
      { value: '611', label: 'Okapi handling', count: 1 },
    ]);
    expect(facets.location).toEqual([
      { value: 'Kinshasa', count: 2 },
      { value: 'Bunia', count: 1 },
      { value: 'Epulu', count: 1 },
    ]);
  });
});
