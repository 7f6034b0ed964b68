import { isDeepStrictEqual } from 'node:util';
import { errorCodeOf } from '@jobplatform/testing';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-jobs.js';

// What the jobs service does with users' events: the users replica decides who may still act, and
// users.user.deleted.v1 runs jobs' part of the account-erasure saga. Events are published straight
// to this file's JetStream as the users relay would.

let platform: PlatformUnderTest;
let admin: Account;

const CREATE_COMPANY = 'mutation($name: String!) { createCompany(input: { name: $name }) { id } }';
const CREATE_JOB = 'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }';
const ADD_MEMBER = 'mutation($c: ID!, $u: ID!, $r: CompanyMemberRole) { addCompanyMember(companyId: $c, userId: $u, role: $r) { role } }';

const ok = (query: string, variables: Record<string, unknown>, account: Account) => platform.ok(query, variables, account);

const companyOf = async (account: Account, name: string): Promise<string> => (await ok(CREATE_COMPANY, { name }, account)).createCompany.id;
const postJob = async (account: Account, companyId: string, title = 'A job'): Promise<string> =>
  (await ok(CREATE_JOB, { input: { companyId, title, description: 'Work.' } }, account)).createJob.id;

const replicaRow = async (userId: string) => (await platform.jobs.db.query('SELECT username, user_type, is_active, deleted_at FROM user_replicas WHERE id = $1', [userId])).rows[0];

/** users.user.updated.v1 as the users service would send it; `at` orders it among the user's events. */
function userUpdated(
  account: Account,
  changes: { userType?: 'job_seeker' | 'employer' | 'admin'; isActive?: boolean; username?: string; firstName?: string | null; lastName?: string | null },
  at: Date,
) {
  const data = {
    userId: account.id,
    username: changes.username ?? `user_${account.id}`,
    email: `user_${account.id}@example.com`,
    firstName: changes.firstName ?? null,
    lastName: changes.lastName ?? null,
    userType: changes.userType ?? 'employer',
    isActive: changes.isActive ?? true,
    isVerified: true,
  };
  return platform.jobs.publishUsersEvent('users.user.updated.v1', data, { occurredAt: at });
}

beforeAll(async () => {
  platform = await startPlatformForTest();
  admin = await platform.admin();
});
afterAll(async () => {
  await platform.close();
});

describe("the test platform's settled()", () => {
  it('returns once the events on their way to a consumer are applied, what statement counts rely on', async () => {
    // Users the replica has never heard of, far above the ids users hands out.
    const ids = Array.from({ length: 200 }, (_, i) => String(900_000_000 + i));
    await Promise.all(ids.map((id) => userUpdated({ id } as Account, { username: `settled_${id}` }, new Date())));
    await platform.settled();
    const { rows } = await platform.jobs.db.query<{ n: number }>('SELECT count(*)::int AS n FROM user_replicas WHERE id = ANY($1::bigint[])', [ids]);
    expect(rows[0]!.n).toBe(ids.length);
  });
});

describe('users replica', () => {
  it('lets a user the replica does not know yet act on their token', async () => {
    const employer = await platform.employer();
    expect(await replicaRow(employer.id)).toBeUndefined();
    const company = await companyOf(employer, 'Newcomer Ltd');
    expect(await postJob(employer, company)).toMatch(/^\d+$/);
  });

  it('stops a deactivated employer from posting, and lets them again once reactivated', async () => {
    const employer = await platform.employer();
    const company = await companyOf(employer, 'Deactivated Ltd');
    await userUpdated(employer, { isActive: false }, new Date(Date.now() - 1_000));
    await waitFor(
      'the replica to hear of the deactivation',
      () => replicaRow(employer.id),
      (row) => row?.is_active === false,
    );

    const outboxBefore = (await platform.jobs.outbox()).length;
    const refused = await platform.gql(CREATE_JOB, { input: { companyId: company, title: 'Refused', description: 'No.' } }, { token: employer.accessToken });
    expect(errorCodeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toMatch(/deactivated/);
    expect(errorCodeOf(await platform.gql(CREATE_COMPANY, { name: 'Another' }, { token: employer.accessToken }))).toBe('FORBIDDEN');
    expect((await platform.jobs.db.query("SELECT count(*)::int AS n FROM jobs WHERE title = 'Refused'")).rows[0]!.n).toBe(0);
    expect((await platform.jobs.outbox()).length).toBe(outboxBefore);

    // An event older than the one applied changes nothing (the replica's version guard) ...
    await userUpdated(employer, { isActive: true }, new Date(Date.now() - 60_000));
    // ... a newer one reactivates.
    await userUpdated(employer, { isActive: true }, new Date());
    await waitFor(
      'the replica to hear of the reactivation',
      () => replicaRow(employer.id),
      (row) => row?.is_active === true,
    );
    expect(await postJob(employer, company, 'Allowed again')).toMatch(/^\d+$/);
  });

  it('takes the account type from the replica over the token', async () => {
    const employer = await platform.employer();
    const company = await companyOf(employer, 'Demoted Ltd');
    await userUpdated(employer, { userType: 'job_seeker' }, new Date());
    await waitFor(
      'the replica to hear of the new type',
      () => replicaRow(employer.id),
      (row) => row?.user_type === 'job_seeker',
    );
    expect(errorCodeOf(await platform.gql(CREATE_JOB, { input: { companyId: company, title: 'x', description: 'y' } }, { token: employer.accessToken }))).toBe('FORBIDDEN');
  });

  it('refuses to add a deactivated account to a company', async () => {
    const owner = await platform.employer();
    const gone = await platform.employer();
    const company = await companyOf(owner, 'Members Ltd');
    await userUpdated(gone, { isActive: false }, new Date());
    await waitFor(
      'the replica to hear of the deactivation',
      () => replicaRow(gone.id),
      (row) => row?.is_active === false,
    );
    const response = await platform.gql(ADD_MEMBER, { c: company, u: gone.id }, { token: owner.accessToken });
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'userId' })]);
  });
});

describe("a job's employer, provided by jobs from the users replica", () => {
  const EMPLOYER = 'query($id: ID!) { job(id: $id) { id employer { id username firstName lastName } } }';
  const employerOf = async (job: string) => (await ok(EMPLOYER, { id: job }, admin)).job.employer;
  /** Waits until the job's page shows `expected` as its employer (the consumer applies users' events meanwhile). */
  const untilShown = (job: string, expected: Record<string, unknown>) =>
    waitFor(
      `job ${job}'s page to show ${JSON.stringify(expected)}`,
      () => employerOf(job),
      (shown) => isDeepStrictEqual(shown, expected),
    );

  it('shows the handle and names users last reported, and no names once the account is deactivated', async () => {
    const employer = await platform.employer();
    const job = await postJob(employer, await companyOf(employer, 'Profile Ltd'));
    await userUpdated(employer, { username: 'ada', firstName: 'Ada', lastName: 'Lovelace' }, new Date(Date.now() - 2_000));
    await untilShown(job, { id: employer.id, username: 'ada', firstName: 'Ada', lastName: 'Lovelace' });
    expect(await employerOf(job)).toEqual({ id: employer.id, username: 'ada', firstName: 'Ada', lastName: 'Lovelace' });

    await userUpdated(employer, { username: 'ada_l', firstName: 'Augusta Ada', lastName: 'King' }, new Date(Date.now() - 1_000));
    await untilShown(job, { id: employer.id, username: 'ada_l', firstName: 'Augusta Ada', lastName: 'King' });
    expect(await employerOf(job)).toEqual({ id: employer.id, username: 'ada_l', firstName: 'Augusta Ada', lastName: 'King' });

    // As users shows an account that is no longer active: the handle stays, the profile is blank.
    await userUpdated(employer, { username: 'ada_l', firstName: 'Augusta Ada', lastName: 'King', isActive: false }, new Date());
    await untilShown(job, { id: employer.id, username: 'ada_l', firstName: null, lastName: null });
    expect(await employerOf(job)).toEqual({ id: employer.id, username: 'ada_l', firstName: null, lastName: null });
  });

  it('reads the employer of every job on a list in one statement', async () => {
    const employers = await Promise.all([platform.employer(), platform.employer(), platform.employer()]);
    const company = await companyOf(admin, 'Listed Ltd');
    for (const [i, employer] of employers.entries()) {
      await ok(ADD_MEMBER, { c: company, u: employer.id, r: 'MEMBER' }, admin);
      await userUpdated(employer, { firstName: `Name ${i}` }, new Date());
      await postJob(employer, company, `Listed ${i}`);
    }
    await waitFor(
      'the replica to hold the three employers',
      async () =>
        (await platform.jobs.db.query('SELECT count(*)::int AS n FROM user_replicas WHERE id = ANY($1::bigint[]) AND first_name IS NOT NULL', [employers.map((e) => e.id)]))
          .rows[0]!.n,
      (n) => n === 3,
    );
    platform.jobs.leanStatements.length = 0;
    const list = await ok('query($c: ID!) { jobs(first: 10, filter: { companyId: $c }) { edges { node { title employer { id username firstName } } } } }', { c: company }, admin);
    expect(list.jobs.edges.map((edge: { node: { title: string; employer: { firstName: string } } }) => [edge.node.title, edge.node.employer.firstName])).toEqual([
      ['Listed 2', 'Name 2'],
      ['Listed 1', 'Name 1'],
      ['Listed 0', 'Name 0'],
    ]);
    expect(platform.jobs.leanStatements.filter((text) => /FROM user_replicas/.test(text))).toHaveLength(1);
  });

  it("shows the handle from the poster's token until users' first word about them, which replaces it", async () => {
    const employer = await platform.employer();
    expect(await replicaRow(employer.id)).toBeUndefined();
    const job = await postJob(employer, await companyOf(employer, 'Too Soon Ltd'));
    // Posting left a provisional row from the token (preferred_username), at version 0.
    expect((await platform.jobs.db.query('SELECT username, first_name, user_type, is_active, version FROM user_replicas WHERE id = $1', [employer.id])).rows).toEqual([
      { username: employer.username, first_name: null, user_type: 'employer', is_active: true, version: '0' },
    ]);
    expect(await employerOf(job)).toEqual({ id: employer.id, username: employer.username, firstName: null, lastName: null });

    // users' events win over it, even one written before the job was posted.
    await userUpdated(employer, { username: 'grace', firstName: 'Grace', lastName: 'Hopper' }, new Date(Date.now() - 60_000));
    await untilShown(job, { id: employer.id, username: 'grace', firstName: 'Grace', lastName: 'Hopper' });
    expect(await employerOf(job)).toEqual({ id: employer.id, username: 'grace', firstName: 'Grace', lastName: 'Hopper' });
  });

  it('answers with an error, not a made-up handle, for a poster the replica has no row of', async () => {
    // A job posted on a token without a handle (issued before tokens carried one), by an account users has not reported yet.
    const employer = await platform.employer();
    const company = await companyOf(employer, 'No Word Ltd');
    await platform.jobs.db.query('DELETE FROM user_replicas WHERE id = $1', [employer.id]);
    const viewer = { userId: employer.id, role: 'employer' as const, tokenId: 't', sessionId: undefined };
    const job = (await platform.jobs.service.domain.postings.create(viewer, { companyId: company, title: 'Unknown poster', description: 'x' })).id.toString();
    expect(await replicaRow(employer.id)).toBeUndefined();
    const response = await platform.gql(EMPLOYER, { id: job }, { token: admin.accessToken });
    expect(response.data).toEqual({ job: null });
    expect(errorCodeOf(response)).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(response.errors)).not.toMatch(/user_replicas|SELECT/);
  });
});

describe('account erasure', () => {
  it('removes memberships, closes the open jobs, publishes the closures and the reply, and applies a redelivery once', async () => {
    const leaving = await platform.employer();
    const colleague = await platform.employer();
    const otherOwner = await platform.employer();
    const own = await companyOf(leaving, 'Leaving Ltd');
    const other = await companyOf(otherOwner, 'Staying Ltd');
    await ok(ADD_MEMBER, { c: own, u: colleague.id }, leaving);
    await ok(ADD_MEMBER, { c: other, u: leaving.id }, otherOwner);
    const open = await postJob(leaving, own, 'Open at Leaving');
    const closed = await postJob(leaving, own, 'Closed at Leaving');
    await ok('mutation($id: ID!) { closeJob(id: $id) { id } }', { id: closed }, leaving);
    const elsewhere = await postJob(leaving, other, 'Open at Staying');
    const colleagues = await postJob(colleague, own, "Colleague's job");

    const deleted = await platform.jobs.publishUsersEvent('users.user.deleted.v1', { userId: leaving.id, requestedAt: new Date().toISOString() });
    const [reply] = await waitFor(
      'the erasure reply on JetStream',
      () => platform.jobs.published('jobs.user_erasure.completed.v1'),
      (found) => found.some((e) => e.data.userId === leaving.id),
    );
    expect(reply!.data).toEqual({
      userId: leaving.id,
      service: 'jobs',
      completedAt: expect.any(String),
      summary: { removedMemberships: 2, promotedOwners: 1, closedJobs: 2 },
    });

    // Memberships: gone; the colleague owns the company now; the other company keeps its owner.
    expect((await platform.jobs.db.query('SELECT count(*)::int AS n FROM company_members WHERE user_id = $1', [leaving.id])).rows[0]!.n).toBe(0);
    const members = await platform.jobs.db.query(
      'SELECT company_id::text, user_id::text, role FROM company_members WHERE company_id = ANY($1::bigint[]) ORDER BY company_members.company_id',
      [[own, other]],
    );
    expect(members.rows).toEqual([
      { company_id: own, user_id: colleague.id, role: 'owner' },
      { company_id: other, user_id: otherOwner.id, role: 'owner' },
    ]);

    // Jobs: all three closed, still naming their poster (users' tombstone once the saga ends); the colleague's job untouched.
    const jobs = await platform.jobs.db.query('SELECT id::text, is_active, employer_id::text FROM jobs WHERE id = ANY($1::bigint[]) ORDER BY jobs.id', [
      [open, closed, elsewhere, colleagues],
    ]);
    expect(jobs.rows).toEqual([
      { id: open, is_active: false, employer_id: leaving.id },
      { id: closed, is_active: false, employer_id: leaving.id },
      { id: elsewhere, is_active: false, employer_id: leaving.id },
      { id: colleagues, is_active: true, employer_id: colleague.id },
    ]);

    // Events: a closure for each job it closed, made by no one; nothing for the one already closed.
    const published = await platform.jobs.published();
    const closures = published.filter((e) => e.type === 'jobs.job.closed.v1' && 'reason' in e.data && e.data.reason === 'employer_erased');
    expect(closures.map((e) => e.aggregateId).sort()).toEqual([open, elsewhere].sort());
    for (const closure of closures) {
      expect(closure.data).toMatchObject({ actorId: null, job: { employerId: leaving.id, isActive: false } });
      expect(closure.traceparent.split('-')[1]).toBe(deleted.traceparent.split('-')[1]); // same trace as the saga
    }
    expect(published.filter((e) => e.aggregateId === closed && e.type.startsWith('jobs.job.')).map((e) => e.type)).toEqual(['jobs.job.created.v1', 'jobs.job.closed.v1']);

    // Membership events: each removal, then the promotion that keeps Leaving Ltd owned, made by no one, in the saga's trace.
    const sagaTrace = deleted.traceparent.split('-')[1];
    const membership = published.filter((e) => e.type.startsWith('jobs.company.member_') && e.traceparent.split('-')[1] === sagaTrace);
    expect(membership.map((e) => [e.type, e.aggregateId, e.data])).toEqual([
      ['jobs.company.member_removed.v1', own, { companyId: own, userId: leaving.id, role: 'owner', actorId: null, reason: 'user_erased' }],
      ['jobs.company.member_removed.v1', other, { companyId: other, userId: leaving.id, role: 'member', actorId: null, reason: 'user_erased' }],
      ['jobs.company.member_updated.v1', own, { companyId: own, userId: colleague.id, role: 'owner', previousRole: 'member', actorId: null }],
    ]);

    // The replica knows the user is gone (whichever consumer got there first), so the old token posts nothing.
    expect(await replicaRow(leaving.id)).toMatchObject({ username: null, is_active: false, deleted_at: expect.any(Date) });
    expect(errorCodeOf(await platform.gql(CREATE_JOB, { input: { companyId: other, title: 'After', description: 'x' } }, { token: leaving.accessToken }))).toBe('FORBIDDEN');

    // A job seeker still finds the company's job, closed, with its company.
    const page = await platform.gql('query($id: ID!) { job(id: $id) { id title isActive company { name } } }', { id: open });
    expect(page.data!.job).toEqual({ id: open, title: 'Open at Leaving', isActive: false, company: { name: 'Leaving Ltd' } });

    // Redelivered after JetStream's duplicate window: acknowledged, not applied again.
    const consumer = platform.jobs.service.consumers['user-erasure']!;
    const before = consumer.stats();
    await platform.jobs.republish(deleted);
    await waitFor(
      'the redelivery',
      async () => consumer.stats(),
      (stats) => stats.duplicates > before.duplicates,
    );
    expect(consumer.stats().handled).toBe(before.handled);
    const processed = await platform.jobs.db.query("SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'jobs-user-erasure' AND event_id = $1", [deleted.id]);
    expect(processed.rows[0]!.n).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await platform.jobs.published('jobs.user_erasure.completed.v1')).filter((e) => e.data.userId === leaving.id)).toHaveLength(1);
  });

  it('leaves a company whose only member left without members, and answers for a user it never knew', async () => {
    const solo = await platform.employer();
    const company = await companyOf(solo, 'Solo Ltd');
    const job = await postJob(solo, company);
    await platform.jobs.publishUsersEvent('users.user.deleted.v1', { userId: solo.id, requestedAt: new Date().toISOString() });
    const stranger = await platform.jobs.publishUsersEvent('users.user.deleted.v1', { userId: '987654321', requestedAt: new Date().toISOString() });
    const replies = await waitFor(
      'both replies',
      () => platform.jobs.published('jobs.user_erasure.completed.v1'),
      (found) => [solo.id, '987654321'].every((id) => found.some((e) => e.data.userId === id)),
    );
    expect(replies.find((e) => e.data.userId === solo.id)!.data.summary).toEqual({ removedMemberships: 1, promotedOwners: 0, closedJobs: 1 });
    expect(replies.find((e) => e.data.userId === '987654321')!.data.summary).toEqual({ removedMemberships: 0, promotedOwners: 0, closedJobs: 0 });
    expect(replies.find((e) => e.data.userId === '987654321')!.traceparent.split('-')[1]).toBe(stranger.traceparent.split('-')[1]);
    expect((await platform.jobs.db.query('SELECT count(*)::int AS n FROM company_members WHERE company_id = $1', [company])).rows[0]!.n).toBe(0);
    expect((await platform.jobs.outbox('jobs.company.member_removed.v1')).filter((e) => e.aggregateId === company).map((e) => e.data)).toEqual([
      { companyId: company, userId: solo.id, role: 'owner', actorId: null, reason: 'user_erased' },
    ]);
    expect((await platform.jobs.outbox('jobs.company.member_updated.v1')).filter((e) => e.aggregateId === company)).toEqual([]);
    expect((await platform.gql('query($id: ID!) { company(id: $id) { name jobs(first: 5) { totalCount } } }', { id: company })).data!.company).toEqual({
      name: 'Solo Ltd',
      jobs: { totalCount: 0 },
    });
    expect((await platform.jobs.db.query('SELECT is_active FROM jobs WHERE id = $1', [job])).rows[0]!.is_active).toBe(false);
    // An admin can still act for it.
    expect((await ok(ADD_MEMBER, { c: company, u: admin.id, r: 'OWNER' }, admin)).addCompanyMember.role).toBe('OWNER');
  });
});
