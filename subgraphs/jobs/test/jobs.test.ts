import { errorCodeOf } from '@jobplatform/testing';
import { JOBS_OPERATIONS } from './operations.js';
import { startPlatformForTest, type Account, type PlatformUnderTest } from './start-jobs.js';

let platform: PlatformUnderTest;
let employer: Account;
let otherEmployer: Account;
let seeker: Account;
let admin: Account;
let companyId: string;
let otherCompanyId: string;

/** Sends one named operation of the contract through the gateway. */
async function op(operationName: string, variables: Record<string, unknown>, account?: Account) {
  const response = await fetch(platform.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(account ? { authorization: `Bearer ${account.accessToken}` } : {}) },
    body: JSON.stringify({ query: JOBS_OPERATIONS, operationName, variables }),
  });
  return (await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] };
}

async function ok(operationName: string, variables: Record<string, unknown>, account?: Account) {
  const response = await op(operationName, variables, account);
  if (response.errors) throw new Error(`${operationName}: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const jobInput = (overrides: Record<string, unknown> = {}) => ({
  companyId,
  title: 'Backend engineer',
  description: 'Build the platform.',
  jobType: 'FULL_TIME',
  experienceLevel: 'MID',
  salaryMin: 60000,
  salaryMax: 90000.5,
  salaryCurrency: 'EUR',
  location: 'Berlin, Germany',
  isRemote: false,
  applicationDeadline: inDays(30),
  ...overrides,
});

const count = async (table: string) => (await platform.jobs.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n as number;

beforeAll(async () => {
  platform = await startPlatformForTest();
  [employer, otherEmployer, seeker, admin] = await Promise.all([platform.employer(), platform.employer(), platform.jobSeeker(), platform.admin()]);
  // Job pages show their employers' handles and names from the users replica (Job.employer @provides).
  await platform.jobs.replicate(employer, { userType: 'employer', firstName: 'Grace', lastName: 'Hopper' });
  await platform.jobs.replicate(otherEmployer, { userType: 'employer' });
  await platform.jobs.replicate(admin, { userType: 'admin' });
  companyId = (await ok('CreateCompany', { input: { name: 'Acme', size: 'MEDIUM' } }, employer)).createCompany.id;
  otherCompanyId = (await ok('CreateCompany', { input: { name: 'Globex' } }, otherEmployer)).createCompany.id;
});
afterAll(async () => {
  await platform.close();
});

describe('CreateJob', () => {
  it('posts a job with categories and de-duplicated skills, and records job.created with everything consumers need', async () => {
    const parent = (await ok('CreateJobCategory', { input: { name: 'Engineering' } }, admin)).createJobCategory;
    const child = (await ok('CreateJobCategory', { input: { name: 'Backend', parentId: parent.id } }, admin)).createJobCategory;
    expect(child.parent).toEqual({ id: parent.id });
    const created = (
      await ok(
        'CreateJob',
        {
          input: jobInput({
            categoryIds: [child.id, child.id],
            skills: [{ name: 'TypeScript', isRequired: true }, { name: 'typescript' }, { name: 'PostgreSQL' }, { name: ' Docker  ' }],
          }),
        },
        employer,
      )
    ).createJob;
    expect(created).toMatchObject({
      title: 'Backend engineer',
      jobType: 'FULL_TIME',
      experienceLevel: 'MID',
      salaryMin: 60000,
      salaryMax: 90000.5,
      salaryCurrency: 'EUR',
      isActive: true,
      applicationDeadline: inDays(30),
      company: { id: companyId, name: 'Acme' },
      employer: { id: employer.id },
      categories: [{ id: child.id, name: 'Backend' }],
    });
    expect(created.employer.username).toMatch(/^user_/);
    expect(created.skills).toEqual([
      { isRequired: true, skill: { id: expect.any(String), name: 'TypeScript' } },
      { isRequired: false, skill: { id: expect.any(String), name: 'Docker' } },
      { isRequired: false, skill: { id: expect.any(String), name: 'PostgreSQL' } },
    ]);

    const [event, ...more] = (await platform.jobs.outbox('jobs.job.created.v1')).filter((e) => e.data.job.id === created.id);
    expect(more).toEqual([]);
    expect(event!.data).toMatchObject({
      actorId: employer.id,
      job: {
        title: 'Backend engineer',
        companyName: 'Acme',
        employerId: employer.id,
        jobType: 'full_time',
        experienceLevel: 'mid',
        salaryMin: '60000.00',
        salaryMax: '90000.50',
        salaryCurrency: 'EUR',
        location: 'Berlin, Germany',
        isRemote: false,
        isActive: true,
        categories: [{ id: child.id, name: 'Backend' }],
      },
    });
    expect(event!.data.job.skills).toHaveLength(3);
  });

  it('reuses an existing skill whatever its letter case', async () => {
    await ok('CreateJob', { input: jobInput({ skills: [{ name: 'Kotlin' }] }) }, employer);
    await ok('CreateJob', { input: jobInput({ skills: [{ name: 'KOTLIN' }] }) }, employer);
    const rows = await platform.jobs.db.query("SELECT name FROM job_skills WHERE lower(name) = 'kotlin'");
    expect(rows.rows).toEqual([{ name: 'Kotlin' }]);
  });

  it('refuses job seekers, signed-out callers and employers outside the company', async () => {
    const before = await count('jobs');
    expect(errorCodeOf(await op('CreateJob', { input: jobInput() }, seeker))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('CreateJob', { input: jobInput() }))).toBe('UNAUTHENTICATED');
    const outsider = await op('CreateJob', { input: jobInput() }, otherEmployer);
    expect(errorCodeOf(outsider)).toBe('FORBIDDEN');
    expect(outsider.errors![0]!.message).toMatch(/members of the company/);
    expect(await count('jobs')).toBe(before);
  });

  it('lets an admin post under any company', async () => {
    const created = (await ok('CreateJob', { input: jobInput({ companyId: otherCompanyId }) }, admin)).createJob;
    expect(created.employer.id).toBe(admin.id);
  });

  it.each([
    ['salaryMin above salaryMax', { salaryMin: 100, salaryMax: 50 }, 'input.salaryMax'],
    ['a negative salary', { salaryMin: -1 }, 'input.salaryMin'],
    ['three decimals', { salaryMax: 100000.123 }, 'input.salaryMax'],
    ['a salary beyond DECIMAL(10,2)', { salaryMin: null, salaryMax: 100_000_000 }, 'input.salaryMax'],
    ['a made-up currency', { salaryCurrency: 'XYZ' }, 'input.salaryCurrency'],
    ['a four-letter currency', { salaryCurrency: 'EURO' }, 'input.salaryCurrency'],
    ['a deadline in the past', { applicationDeadline: '2020-01-01' }, 'input.applicationDeadline'],
    ['a malformed deadline', { applicationDeadline: '31/12/2099' }, 'input.applicationDeadline'],
    ['an impossible date', { applicationDeadline: '2099-02-30' }, 'input.applicationDeadline'],
    ['an empty title', { title: '   ' }, 'input.title'],
    ['an over-long title', { title: 'x'.repeat(256) }, 'input.title'],
    ['an over-long location', { location: 'x'.repeat(256) }, 'input.location'],
    ['too many skills', { skills: Array.from({ length: 51 }, (_, i) => ({ name: `skill ${i}` })) }, 'input.skills'],
    ['an over-long skill name', { skills: [{ name: 'x'.repeat(101) }] }, 'input.skills.0.name'],
    ['an unknown category', { categoryIds: ['999999'] }, 'input.categoryIds'],
    ['a malformed category id', { categoryIds: ['abc'] }, 'input.categoryIds.0'],
    ['an unknown company', { companyId: '999999' }, 'input.companyId'],
  ])('refuses %s with BAD_USER_INPUT naming the field, and writes nothing', async (_label, override, field) => {
    const before = [await count('jobs'), await count('job_skills'), await count('job_categories_jobs')];
    const events = (await platform.jobs.outbox()).length;
    const response = await op('CreateJob', { input: jobInput(override) }, employer);
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect([await count('jobs'), await count('job_skills'), await count('job_categories_jobs')]).toEqual(before);
    expect((await platform.jobs.outbox()).length).toBe(events);
  });

  it('refuses an enum value outside the seed values at the schema level', async () => {
    const response = await op('CreateJob', { input: jobInput({ jobType: 'VOLUNTEER' }) }, employer);
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
  });

  it('refuses an impossible deadline at the gateway, while validating the operation, with a message that names the field', async () => {
    const response = await op('CreateJob', { input: jobInput({ applicationDeadline: '2099-02-30' }) }, employer);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'Variable "$input" got invalid value "2099-02-30" at "input.applicationDeadline"; Date cannot represent an invalid date-string 2099-02-30.',
        extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'input.applicationDeadline', message: 'Date cannot represent an invalid date-string 2099-02-30.' }] },
      }),
    ]);
  });

  it('returns createdAt, updatedAt and applicationDeadline as the same strings as before the scalars', async () => {
    const created = (await ok('CreateJob', { input: jobInput({ applicationDeadline: '2099-06-30' }) }, employer)).createJob;
    expect(created.applicationDeadline).toBe('2099-06-30');
    // created_at is TIMESTAMP(3) in UTC without a zone; toISOString wrote it as this before.
    const row = (await platform.jobs.db.query(`SELECT to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS iso FROM jobs WHERE id = $1`, [created.id])).rows[0]!;
    expect(created.createdAt).toBe(row.iso);
  });
});

describe('UpdateJob, CloseJob and deleteJob', () => {
  let jobId: string;
  const deleteJob = (id: string, account: Account) => platform.gql('mutation($id: ID!) { deleteJob(id: $id) }', { id }, { token: account.accessToken });
  const deleted = async (id: string, account: Account) => expect((await deleteJob(id, account)).data).toEqual({ deleteJob: id });
  beforeEach(async () => {
    jobId = (await ok('CreateJob', { input: jobInput() }, employer)).createJob.id;
  });

  it('lets the employer who posted the job change it, and records job.updated', async () => {
    const updated = (await ok('UpdateJob', { id: jobId, input: { title: 'Senior backend engineer', salaryMax: 120000, isRemote: true } }, employer)).updateJob;
    expect(updated).toMatchObject({ id: jobId, title: 'Senior backend engineer', salaryMin: 60000, salaryMax: 120000, isRemote: true });
    const event = (await platform.jobs.outbox('jobs.job.updated.v1')).filter((e) => e.data.job.id === jobId).at(-1);
    expect(event?.data).toMatchObject({ actorId: employer.id, job: { title: 'Senior backend engineer', salaryMax: '120000.00', isRemote: true } });
  });

  it('checks salaryMin ≤ salaryMax against the stored values', async () => {
    const response = await op('UpdateJob', { id: jobId, input: { salaryMin: 95000 } }, employer);
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'input.salaryMin' })]);
  });

  it('replaces skills and categories only when given, and writes nothing when a later step fails', async () => {
    await ok('UpdateJob', { id: jobId, input: { skills: [{ name: 'Go', isRequired: true }] } }, employer);
    const skillsBefore = await platform.jobs.db.query('SELECT skill_id FROM job_skills_jobs WHERE job_id = $1', [jobId]);
    const failed = await op('UpdateJob', { id: jobId, input: { title: 'Changed', skills: [{ name: 'Rust' }], categoryIds: ['999999'] } }, employer);
    expect(errorCodeOf(failed)).toBe('BAD_USER_INPUT');
    const row = await platform.jobs.db.query('SELECT title FROM jobs WHERE id = $1', [jobId]);
    expect(row.rows[0]!.title).toBe('Backend engineer');
    expect((await platform.jobs.db.query('SELECT skill_id FROM job_skills_jobs WHERE job_id = $1', [jobId])).rows).toEqual(skillsBefore.rows);
  });

  it('refuses another company’s employer, a job seeker and a signed-out caller', async () => {
    for (const [account, code] of [
      [otherEmployer, 'FORBIDDEN'],
      [seeker, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(errorCodeOf(await op('UpdateJob', { id: jobId, input: { title: 'Hijacked' } }, account))).toBe(code);
      expect(errorCodeOf(await op('CloseJob', { id: jobId }, account))).toBe(code);
    }
    expect(errorCodeOf(await deleteJob(jobId, otherEmployer))).toBe('FORBIDDEN');
    const row = await platform.jobs.db.query('SELECT title, is_active FROM jobs WHERE id = $1', [jobId]);
    expect(row.rows[0]).toEqual({ title: 'Backend engineer', is_active: true });
  });

  it('refuses another member of the same company: only the poster and admins change a job', async () => {
    const colleague = await platform.employer();
    await platform.gql('mutation($c: ID!, $u: ID!) { addCompanyMember(companyId: $c, userId: $u) { role } }', { c: companyId, u: colleague.id }, { token: employer.accessToken });
    expect(errorCodeOf(await op('UpdateJob', { id: jobId, input: { title: 'Colleague edit' } }, colleague))).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND for a job that does not exist', async () => {
    expect(errorCodeOf(await op('UpdateJob', { id: '999999', input: { title: 'x' } }, employer))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('CloseJob', { id: 'not-an-id' }, employer))).toBe('NOT_FOUND');
  });

  it('closes once (job.closed), and an admin may close any job', async () => {
    expect((await ok('CloseJob', { id: jobId }, employer)).closeJob).toEqual({ id: jobId, isActive: false });
    expect((await ok('CloseJob', { id: jobId }, employer)).closeJob).toEqual({ id: jobId, isActive: false });
    expect((await platform.jobs.outbox('jobs.job.closed.v1')).filter((e) => e.data.job.id === jobId).map((e) => e.data)).toEqual([
      { actorId: employer.id, reason: 'closed', job: expect.objectContaining({ id: jobId, isActive: false }) },
    ]);
    const another = (await ok('CreateJob', { input: jobInput() }, employer)).createJob.id;
    expect((await ok('CloseJob', { id: another }, admin)).closeJob.isActive).toBe(false);
  });

  it('deletes a job softly: closed and marked, links kept, job.deleted recorded once', async () => {
    await ok('UpdateJob', { id: jobId, input: { skills: [{ name: 'Elixir' }] } }, employer);
    await deleted(jobId, employer);
    const row = (await platform.jobs.db.query('SELECT is_active, deleted_at, updated_at FROM jobs WHERE id = $1', [jobId])).rows[0]!;
    expect(row).toEqual({ is_active: false, deleted_at: expect.any(Date), updated_at: row.deleted_at });
    expect((await platform.jobs.db.query('SELECT count(*)::int AS n FROM job_skills_jobs WHERE job_id = $1', [jobId])).rows[0]!.n).toBe(1);
    expect((await platform.jobs.outbox('jobs.job.deleted.v1')).filter((e) => e.data.job.id === jobId).map((e) => e.data)).toEqual([
      { actorId: employer.id, job: expect.objectContaining({ id: jobId, isActive: false, skills: [expect.objectContaining({ name: 'Elixir' })] }) },
    ]);
    // Deleting an open job closes it with no jobs.job.closed.v1 of its own: job.deleted says both.
    expect((await platform.jobs.outbox('jobs.job.closed.v1')).filter((e) => e.data.job.id === jobId)).toEqual([]);
  });

  it('hides a deleted job from job(id) for everyone, and from every list, its poster and admins included', async () => {
    const { id: listCompany } = (await ok('CreateCompany', { input: { name: 'Deleting Co' } }, employer)).createCompany;
    const kept = (await ok('CreateJob', { input: jobInput({ companyId: listCompany, title: 'Kept' }) }, employer)).createJob.id;
    const gone = (await ok('CreateJob', { input: jobInput({ companyId: listCompany, title: 'Gone' }) }, employer)).createJob.id;
    const closedThenGone = (await ok('CreateJob', { input: jobInput({ companyId: listCompany, title: 'Closed, then gone' }) }, employer)).createJob.id;
    await ok('CloseJob', { id: closedThenGone }, employer);
    const postedBefore = (await ok('MyPostedJobs', { first: 100 }, employer)).me.postedJobs.totalCount;
    await deleted(gone, employer);
    await deleted(closedThenGone, admin);

    for (const account of [undefined, employer, admin]) {
      expect((await ok('JobDetail', { id: gone }, account)).job).toBeNull();
      for (const isActive of [true, false, null]) {
        const page = (await ok('Jobs', { filter: { companyId: listCompany, isActive }, first: 10 }, account)).jobs;
        expect(page.edges.map((e: any) => e.node.id)).toEqual(isActive === false ? [] : [kept]);
        expect(page.totalCount).toBe(isActive === false ? 0 : 1);
      }
      const company = await platform.gql(
        'query($id: ID!) { company(id: $id) { jobs(first: 10, isActive: null) { totalCount edges { node { id } } } } }',
        { id: listCompany },
        account ? { token: account.accessToken } : {},
      );
      expect(company.data!.company.jobs).toEqual({ totalCount: 1, edges: [{ node: { id: kept } }] });
    }
    const posted = (await ok('MyPostedJobs', { first: 100 }, employer)).me.postedJobs;
    expect(posted.totalCount).toBe(postedBefore - 2);
    expect(posted.edges.map((e: any) => e.node.id)).not.toContain(gone);
    expect(posted.edges.map((e: any) => e.node.id)).not.toContain(closedThenGone);
  });

  it('still resolves a deleted job as an entity reference, so an application keeps showing its job', async () => {
    await deleted(jobId, employer);
    const references = await platform.jobs.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Job { id title isActive company { name } employer { id } skills { skill { name } } } } }',
      {
        r: [{ __typename: 'Job', id: jobId }],
      },
    );
    expect(references.errors).toBeUndefined();
    expect(references.data!._entities).toEqual([{ id: jobId, title: 'Backend engineer', isActive: false, company: { name: 'Acme' }, employer: { id: employer.id }, skills: [] }]);
  });

  it('answers NOT_FOUND to every change of a deleted job, and records nothing more', async () => {
    await deleted(jobId, employer);
    const before = (await platform.jobs.outbox()).length;
    for (const account of [employer, admin]) {
      expect(errorCodeOf(await op('UpdateJob', { id: jobId, input: { title: 'Revived' } }, account))).toBe('NOT_FOUND');
      expect(errorCodeOf(await op('CloseJob', { id: jobId }, account))).toBe('NOT_FOUND');
      expect(errorCodeOf(await deleteJob(jobId, account))).toBe('NOT_FOUND');
    }
    expect((await platform.jobs.outbox()).length).toBe(before);
    expect((await platform.jobs.db.query('SELECT title FROM jobs WHERE id = $1', [jobId])).rows[0]!.title).toBe('Backend engineer');
  });

  it('lets one of two concurrent deletions win; the other finds no job', async () => {
    const results = await Promise.all([deleteJob(jobId, employer), deleteJob(jobId, admin)]);
    expect(results.map((r) => (r.errors ? errorCodeOf(r) : r.data!.deleteJob)).sort()).toEqual([jobId, 'NOT_FOUND'].sort());
    expect((await platform.jobs.outbox('jobs.job.deleted.v1')).filter((e) => e.data.job.id === jobId)).toHaveLength(1);
  });
});

describe('JobDetail and Jobs', () => {
  it("serves a job page with its employer's handle and names from the users replica", async () => {
    const id = (await ok('CreateJob', { input: jobInput({ title: 'Detail page job' }) }, employer)).createJob.id;
    const job = (await ok('JobDetail', { id })).job;
    expect(job).toMatchObject({ id, title: 'Detail page job', company: { id: companyId, name: 'Acme', size: 'MEDIUM' } });
    expect(job.employer).toEqual({ id: employer.id, username: employer.username, firstName: 'Grace', lastName: 'Hopper' });
    expect((await ok('JobDetail', { id: '999999' })).job).toBeNull();
  });

  it('pages with opaque cursors and a total that does not depend on the page', async () => {
    const { id: listCompany } = (await ok('CreateCompany', { input: { name: 'Paging Co' } }, employer)).createCompany;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await ok('CreateJob', { input: jobInput({ companyId: listCompany, title: `Paged ${i}` }) }, employer)).createJob.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await ok('Jobs', { filter: { companyId: listCompany }, first: 2, after })).jobs;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    expect(errorCodeOf(await op('Jobs', { first: 2, after: 'garbage' }))).toBe('BAD_USER_INPUT');
    expect(errorCodeOf(await op('Jobs', { first: 101 }))).toBe('BAD_USER_INPUT');
    expect(errorCodeOf(await op('Jobs', { first: 0 }))).toBe('BAD_USER_INPUT');
  });

  it('filters by type, level, remote, location, salary, category (with subcategories), skill and active flag', async () => {
    const { id: co } = (await ok('CreateCompany', { input: { name: 'Filter Co' } }, employer)).createCompany;
    const top = (await ok('CreateJobCategory', { input: { name: 'Design' } }, admin)).createJobCategory.id;
    const sub = (await ok('CreateJobCategory', { input: { name: 'UX research', parentId: top } }, admin)).createJobCategory.id;
    const make = async (input: Record<string, unknown>) => (await ok('CreateJob', { input: jobInput({ companyId: co, ...input }) }, employer)).createJob.id as string;
    const a = await make({
      jobType: 'CONTRACT',
      experienceLevel: 'SENIOR',
      isRemote: true,
      location: 'Lisbon',
      salaryMin: 50000,
      salaryMax: 70000,
      salaryCurrency: 'USD',
      categoryIds: [sub],
      skills: [{ name: 'Figma' }],
    });
    const b = await make({
      jobType: 'PART_TIME',
      experienceLevel: 'ENTRY',
      isRemote: false,
      location: 'Porto',
      salaryMin: 20000,
      salaryMax: 30000,
      salaryCurrency: 'USD',
      categoryIds: [top],
    });
    const c = await make({ jobType: 'CONTRACT', experienceLevel: 'SENIOR', location: 'lisbon area', salaryMin: null, salaryMax: null });
    await ok('CloseJob', { id: c }, employer);
    const figma = (await ok('Skills', { search: 'figm', first: 5 })).skills[0].id;
    const ids = async (filter: Record<string, unknown>) => (await ok('Jobs', { filter: { companyId: co, ...filter }, first: 50 })).jobs.edges.map((e: any) => e.node.id).sort();
    expect(await ids({ jobTypes: ['CONTRACT'] })).toEqual([a]);
    expect(await ids({ jobTypes: ['CONTRACT'], isActive: null })).toEqual([a, c].sort());
    expect(await ids({ isActive: false })).toEqual([c]);
    expect(await ids({ experienceLevels: ['ENTRY', 'MID'] })).toEqual([b]);
    expect(await ids({ isRemote: true })).toEqual([a]);
    expect(await ids({ location: 'LISB', isActive: null })).toEqual([a, c].sort());
    expect(await ids({ salaryMin: 60000, salaryCurrency: 'USD' })).toEqual([a]);
    expect(await ids({ salaryMax: 40000, salaryCurrency: 'USD' })).toEqual([b]);
    expect(await ids({ categoryId: top })).toEqual([a, b].sort());
    expect(await ids({ categoryId: sub })).toEqual([a]);
    expect(await ids({ skillId: figma })).toEqual([a]);
    const bad = await op('Jobs', { filter: { salaryMin: 10, salaryMax: 5, salaryCurrency: 'ABC' } });
    expect(errorCodeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.extensions!.fields.map((f: any) => f.field).sort()).toEqual(['filter.salaryCurrency', 'filter.salaryMax']);
  });

  it('serves a company page with its open jobs', async () => {
    const { id: co } = (await ok('CreateCompany', { input: { name: 'Page Co', website: 'https://page.example', foundedYear: 2001 } }, employer)).createCompany;
    const open = (await ok('CreateJob', { input: jobInput({ companyId: co, isRemote: true }) }, employer)).createJob.id;
    const closed = (await ok('CreateJob', { input: jobInput({ companyId: co }) }, employer)).createJob.id;
    await ok('CloseJob', { id: closed }, employer);
    const company = (await ok('Company', { id: co })).company;
    expect(company).toMatchObject({ id: co, name: 'Page Co', website: 'https://page.example', foundedYear: 2001, isVerified: false });
    expect(company.jobs.totalCount).toBe(1);
    expect(company.jobs.edges.map((e: any) => e.node)).toEqual([{ id: open, title: 'Backend engineer', location: 'Berlin, Germany', isRemote: true, jobType: 'FULL_TIME' }]);
    expect(company.jobs.pageInfo).toEqual({ hasNextPage: false, endCursor: company.jobs.edges[0].cursor });
    expect((await ok('Company', { id: '999999' })).company).toBeNull();
  });
});

describe('MyPostedJobs and User.postedJobs', () => {
  it('shows the employer every posting, closed ones included, and others the open ones only', async () => {
    const poster = await platform.employer();
    await platform.jobs.replicate(poster, { userType: 'employer' });
    const { id: co } = (await ok('CreateCompany', { input: { name: 'Poster Co' } }, poster)).createCompany;
    const first = (await ok('CreateJob', { input: jobInput({ companyId: co, title: 'One' }) }, poster)).createJob.id;
    const second = (await ok('CreateJob', { input: jobInput({ companyId: co, title: 'Two' }) }, poster)).createJob.id;
    await ok('CloseJob', { id: first }, poster);

    const mine = (await ok('MyPostedJobs', { first: 1 }, poster)).me.postedJobs;
    expect(mine.totalCount).toBe(2);
    expect(mine.edges.map((e: any) => e.node.id)).toEqual([second]);
    const rest = (await ok('MyPostedJobs', { first: 1, after: mine.pageInfo.endCursor }, poster)).me.postedJobs;
    expect(rest.edges.map((e: any) => e.node)).toEqual([expect.objectContaining({ id: first, isActive: false })]);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    const query = 'query($id: ID!) { user(id: $id) { postedJobs(first: 10) { totalCount edges { node { id } } } } }';
    const asOther = await platform.gql(query, { id: poster.id }, { token: seeker.accessToken });
    expect(asOther.data!.user.postedJobs).toEqual({ totalCount: 1, edges: [{ node: { id: second } }] });
    const asAdmin = await platform.gql(query, { id: poster.id }, { token: admin.accessToken });
    expect(asAdmin.data!.user.postedJobs.totalCount).toBe(2);
  });
});

describe('categories and skills', () => {
  it('lets only admins create categories', async () => {
    for (const [account, code] of [
      [employer, 'FORBIDDEN'],
      [seeker, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(errorCodeOf(await op('CreateJobCategory', { input: { name: `Nope ${code}` } }, account))).toBe(code);
    }
    expect((await platform.jobs.db.query("SELECT count(*)::int AS n FROM job_categories WHERE name LIKE 'Nope%'")).rows[0]!.n).toBe(0);
  });

  it('keeps names unique regardless of case and parents real', async () => {
    await ok('CreateJobCategory', { input: { name: 'Finance' } }, admin);
    expect(errorCodeOf(await op('CreateJobCategory', { input: { name: 'FINANCE' } }, admin))).toBe('CONFLICT');
    const orphan = await op('CreateJobCategory', { input: { name: 'Orphan', parentId: '999999' } }, admin);
    expect(errorCodeOf(orphan)).toBe('BAD_USER_INPUT');
    expect(orphan.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'input.parentId' })]);
  });

  it('never lets the tree form a cycle, by the API or by direct SQL', async () => {
    const mk = async (name: string, parentId?: string) =>
      (await ok('CreateJobCategory', { input: { name, ...(parentId ? { parentId } : {}) } }, admin)).createJobCategory.id as string;
    const a = await mk('Cycle A');
    const b = await mk('Cycle B', a);
    const c = await mk('Cycle C', b);
    const update = 'mutation($id: ID!, $input: JobCategoryInput!) { updateJobCategory(id: $id, input: $input) { id parent { id } } }';
    for (const parentId of [a, c, b]) {
      const response = await platform.gql(update, { id: a, input: { name: 'Cycle A', parentId: parentId === a ? a : parentId } }, { token: admin.accessToken });
      expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'input.parentId' })]);
    }
    await expect(platform.jobs.db.query('UPDATE job_categories SET parent_id = $1 WHERE id = $2', [c, a])).rejects.toThrow(/job_categories_acyclic_check/);
    // Moving a leaf elsewhere is fine.
    const moved = await platform.gql(update, { id: c, input: { name: 'Cycle C', parentId: a } }, { token: admin.accessToken });
    expect(moved.data!.updateJobCategory.parent).toEqual({ id: a });
    const employerTry = await platform.gql(update, { id: c, input: { name: 'Cycle C' } }, { token: employer.accessToken });
    expect(errorCodeOf(employerTry)).toBe('FORBIDDEN');
  });

  it('lists the tree with parents and children', async () => {
    const root = (await ok('CreateJobCategory', { input: { name: 'Tree root', description: 'Top' } }, admin)).createJobCategory.id;
    const leaf = (await ok('CreateJobCategory', { input: { name: 'Tree leaf', parentId: root } }, admin)).createJobCategory.id;
    const all = (await ok('JobCategories', {})).jobCategories;
    expect(all.find((c: any) => c.id === root)).toEqual({ id: root, name: 'Tree root', description: 'Top', parent: null, children: [{ id: leaf, name: 'Tree leaf' }] });
    expect(all.find((c: any) => c.id === leaf).parent).toEqual({ id: root });
  });

  it('searches skills ignoring case', async () => {
    await ok('CreateJob', { input: jobInput({ skills: [{ name: 'GraphQL' }, { name: 'Graph theory' }] }) }, employer);
    const found = (await ok('Skills', { search: 'GRAPH', first: 10 })).skills.map((s: any) => s.name);
    expect(found).toEqual(['Graph theory', 'GraphQL']);
    expect((await ok('Skills', { search: 'graph', first: 1 })).skills).toHaveLength(1);
  });
});
