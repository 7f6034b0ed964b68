import { publishEvent } from '@jobplatform/testing';
import { APPLICATIONS_OPERATIONS } from './operations.js';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// What the lists of applications show of other services' data comes from applications' replicas
// (@provides): the applicants' usernames from user_replicas, the jobs' title, location and company
// name from job_replicas and company_replicas. A change made in users or jobs shows in the lists once
// its event is applied, and only to those who could see the list before.

const UPDATE_COMPANY = 'mutation ($id: ID!, $input: CompanyInput!) { updateCompany(id: $id, input: $input) { id name } }';
const UPDATE_JOB = 'mutation ($id: ID!, $input: UpdateJobInput!) { updateJob(id: $id, input: $input) { id title location } }';

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;
let jobId: string;
let seeker: Account;

/** One of the project's client operations as `as`, failing the test on any error. */
async function contractOperation(operationName: string, variables: Record<string, unknown>, as: Account): Promise<Record<string, any>> {
  const response = await platform.gql(APPLICATIONS_OPERATIONS, variables, { token: as.accessToken, operationName });
  expect(response.errors).toBeUndefined();
  return response.data as Record<string, any>;
}

const jobApplications = async (as: Account) => (await contractOperation('JobApplications', { jobId, first: 20 }, as)).job.applications as Record<string, any> | null;
const myApplications = async (as: Account) => (await contractOperation('MyApplications', { first: 20 }, as)).me.applications;

beforeAll(async () => {
  platform = await startPlatformForTest();
  ({ employer, companyId } = await platform.employerWithCompany(`Acme ${Date.now()}`));
  jobId = await platform.postJob(employer, companyId, { title: 'Backend engineer', location: 'Porto' });
  seeker = await platform.applicant();
  await platform.apply(seeker, jobId);
}, 120_000);
afterAll(async () => {
  await platform.close();
});

it("a company's rename and a job's new title and location show in MyApplications once their events are applied", async () => {
  const [before] = (await myApplications(seeker)).edges;
  expect(before.node.job).toEqual({ id: jobId, title: 'Backend engineer', location: 'Porto', company: { name: expect.stringMatching(/^Acme /) } });

  const renamed = `Renamed ${Date.now()}`;
  await platform.ok(UPDATE_COMPANY, { id: companyId, input: { name: renamed } }, employer);
  // The rename is a company event only: the job itself writes none.
  await waitFor(
    'the rename to show in MyApplications',
    async () => (await myApplications(seeker)).edges[0].node.job.company.name,
    (name) => name === renamed,
  );

  await platform.ok(UPDATE_JOB, { id: jobId, input: { title: 'Staff engineer', location: 'Remote, EU' } }, employer);
  await waitFor(
    "the job's change to show in MyApplications",
    async () => (await myApplications(seeker)).edges[0].node.job,
    (job) => job.title === 'Staff engineer',
  );
  // The job's event carries the company's name too; the rename stays.
  expect((await myApplications(seeker)).edges[0].node.job).toEqual({ id: jobId, title: 'Staff engineer', location: 'Remote, EU', company: { name: renamed } });
});

it('a company event older than the replica row changes nothing', async () => {
  const { rows } = await platform.applications.db.query<{ name: string; version: string }>('SELECT name, version::text FROM company_replicas WHERE id = $1', [companyId]);
  const current = rows[0]!;
  // The company as jobs last published it, delivered again with another name and an earlier time.
  const [latest] = (await platform.jobs.outbox('jobs.company.updated.v1')).filter((event) => event.data.company.id === companyId).slice(-1);
  const at = new Date(Number(current.version) - 60_000);
  await publishEvent(
    platform.applications.nats,
    'jobs',
    'jobs.company.updated.v1',
    { ...latest!.data, company: { ...latest!.data.company, name: 'Stale name' } },
    { occurredAt: at },
  );
  // A newer event for another company goes through the same consumer after it: once that one is
  // applied, the stale one was handled.
  const marker = { ...latest!.data.company, id: '999999001', name: 'Marker company' };
  await publishEvent(platform.applications.nats, 'jobs', 'jobs.company.updated.v1', { ...latest!.data, company: marker });
  await waitFor(
    'the marker event to be applied',
    async () => (await platform.applications.db.query('SELECT name FROM company_replicas WHERE id = $1', [marker.id])).rows[0]?.name,
    (name) => name === 'Marker company',
  );
  expect((await myApplications(seeker)).edges[0].node.job.company.name).toBe(current.name);
});

it("an applicant's new username shows in JobApplications once users' event is applied; strangers still see no list", async () => {
  const [before] = (await jobApplications(employer))!.edges;
  expect(before.node.applicant).toMatchObject({ id: seeker.id, username: seeker.username, email: seeker.email });

  // users writes users.user.updated.v1 with the whole replicated state whenever it changes.
  const username = `renamed_${seeker.id}`;
  await publishEvent(platform.applications.nats, 'users', 'users.user.updated.v1', {
    userId: seeker.id,
    username,
    email: seeker.email,
    firstName: null,
    lastName: null,
    userType: 'job_seeker',
    isActive: true,
    isVerified: false,
  });
  await waitFor(
    'the new username to show in JobApplications',
    async () => (await jobApplications(employer))!.edges[0].node.applicant.username,
    (shown) => shown === username,
  );
  expect((await jobApplications(employer))!.edges[0].node.applicant).toMatchObject({ id: seeker.id, username, email: seeker.email });

  // An employer who is no member of the company gets no list, so neither usernames nor email.
  const stranger = (await platform.employerWithCompany()).employer;
  expect(await jobApplications(stranger)).toBeNull();
  const asStranger = await platform.gql(
    'query ($jobId: ID!) { job(id: $jobId) { applications(first: 5) { edges { node { applicant { username email } } } } } }',
    { jobId },
    { token: stranger.accessToken },
  );
  expect(asStranger.data).toEqual({ job: { applications: null } });
});
