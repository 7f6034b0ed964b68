import { userErasureParticipants } from '@jobplatform/events';
import { startPlatformForTest, waitFor, type PlatformUnderTest } from './start-jobs.js';

// users, jobs and every other participant of the account-erasure saga on one nats-server, as
// deployed: registration reaches jobs' users replica, and deleteMyAccount runs the whole saga
// through the participants and back to users.

let platform: PlatformUnderTest;

beforeAll(async () => {
  platform = await startPlatformForTest({ sharedNats: true, services: [...userErasureParticipants] });
});
afterAll(async () => {
  await platform.close();
});

it('erases an employer across users and jobs: deleteMyAccount, jobs closes the jobs, users completes, the job page still shows', async () => {
  const employer = await platform.employer();
  const account = employer;
  await waitFor(
    'users.user.registered.v1 to reach the replica',
    async () => (await platform.jobs.db.query('SELECT user_type, is_active FROM user_replicas WHERE id = $1', [employer.id])).rows[0],
    (row) => row?.user_type === 'employer',
  );
  const company = (await platform.ok('mutation { createCompany(input: { name: "Erased Employer Inc" }) { id } }', {}, account)).createCompany.id;
  const job = (
    await platform.ok(
      'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }',
      { input: { companyId: company, title: 'Goes with its poster', description: 'x' } },
      account,
    )
  ).createJob.id;

  expect((await platform.ok('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: employer.password }, account)).deleteMyAccount).toBe(true);

  const saga = await waitFor(
    'users to record the saga as completed',
    async () => (await platform.users.db.query('SELECT status FROM user_erasures WHERE user_id = $1', [employer.id])).rows[0],
    (row) => row?.status === 'completed',
  );
  expect(saga).toEqual({ status: 'completed' });
  const reply = await platform.users.db.query('SELECT summary FROM user_erasure_completions WHERE user_id = $1 AND service = $2', [employer.id, 'jobs']);
  expect(reply.rows).toEqual([{ summary: { removedMemberships: 1, promotedOwners: 0, closedJobs: 1 } }]);

  expect((await platform.jobs.db.query('SELECT is_active, employer_id::text FROM jobs WHERE id = $1', [job])).rows).toEqual([{ is_active: false, employer_id: employer.id }]);
  expect((await platform.jobs.db.query('SELECT count(*)::int AS n FROM company_members WHERE user_id = $1', [employer.id])).rows[0]!.n).toBe(0);
  const closures = (await platform.jobs.published('jobs.job.closed.v1')).filter((e) => e.aggregateId === job);
  expect(closures.map((e) => e.data)).toEqual([{ actorId: null, reason: 'employer_erased', job: expect.objectContaining({ employerId: employer.id, isActive: false }) }]);

  // What a job seeker sees afterwards: the job, closed, under its company, its poster users' tombstone.
  const page = await platform.gql('query($id: ID!) { job(id: $id) { title isActive company { name } employer { id username firstName lastName } } }', { id: job });
  expect(page.errors).toBeUndefined();
  expect(page.data!.job).toEqual({
    title: 'Goes with its poster',
    isActive: false,
    company: { name: 'Erased Employer Inc' },
    employer: { id: employer.id, username: `erased~${employer.id}`, firstName: null, lastName: null },
  });
});
