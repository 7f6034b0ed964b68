import { readFileSync } from 'node:fs';
import { toCalendarDate } from '@jobplatform/service-runtime';
import { errorCodeOf, startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from '@jobplatform/testing';

// The four client operations of analytics (schema/operations/analytics.graphql) through the real
// gateway, with users, jobs, applications and analytics on one nats-server: a view and an application
// made through the platform reach the statistics of the job, its employer and the platform.

const ANALYTICS_OPERATIONS = readFileSync(new URL('../../../schema/operations/analytics.graphql', import.meta.url), 'utf8');

let platform: PlatformUnderTest;
let employer: Account;
let jobId: string;
const to = toCalendarDate(new Date());
const from = toCalendarDate(new Date(Date.now() - 6 * 24 * 60 * 60 * 1000));

const op = (operationName: string, variables: Record<string, unknown>, account?: Account) =>
  platform.gql(ANALYTICS_OPERATIONS, variables, { operationName, ...(account ? { token: account.accessToken } : {}) });

async function okOp(operationName: string, variables: Record<string, unknown>, account?: Account) {
  const response = await op(operationName, variables, account);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const seen = (service: 'analytics' | 'applications', sql: string, values: unknown[], what: string) =>
  waitFor(
    what,
    async () => (await platform.service(service).db.query(sql, values)).rowCount,
    (count) => count === 1,
  );

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['jobs', 'applications', 'analytics'] });
  employer = await platform.employer();
  const companyId = (await platform.ok('mutation($name: String!) { createCompany(input: { name: $name }) { id } }', { name: `Stats Co ${Date.now()}` }, employer)).createCompany.id;
  jobId = (
    await platform.ok('mutation($input: CreateJobInput!) { createJob(input: $input) { id } }', { input: { companyId, title: 'Data engineer', description: 'Pipes.' } }, employer)
  ).createJob.id;
  await seen('analytics', 'SELECT 1 FROM job_replicas WHERE id = $1', [jobId], 'the job to reach the analytics jobs replica');
});
afterAll(async () => {
  await platform?.close();
});

it('an anonymous JOB_VIEW sent with TrackEvent shows in JobStats within 5 seconds', async () => {
  const sent = Date.now();
  expect(await okOp('TrackEvent', { input: { eventType: 'JOB_VIEW', sessionId: 'gateway-session', properties: { jobId } } })).toEqual({ trackEvent: true });
  const stats = await waitFor(
    'the view to show in JobStats',
    async () => (await okOp('JobStats', { jobId, from, to }, employer)).job,
    (job) => job.stats.views === 1,
  );
  expect(Date.now() - sent).toBeLessThan(5_000);
  expect(stats).toMatchObject({ id: jobId, title: 'Data engineer', stats: { views: 1, applications: 0 } });
  expect(stats.stats.daily).toHaveLength(7);
  expect(stats.stats.daily.at(-1)).toEqual({ date: to, views: 1, applications: 0 });
});

it('an application shows in JobStats, the EmployerDashboard and, for admins, PlatformStats', async () => {
  const seeker = await platform.jobSeeker();
  await seen('applications', 'SELECT 1 FROM user_replicas WHERE id = $1', [seeker.id], 'the seeker to reach the applications users replica');
  await seen('applications', 'SELECT 1 FROM job_replicas WHERE id = $1', [jobId], 'the job to reach the applications jobs replica');
  await platform.ok('mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { id } }', { input: { jobId } }, seeker);

  await waitFor(
    'the application to show in JobStats',
    async () => (await okOp('JobStats', { jobId, from, to }, employer)).job.stats,
    (stats) => stats.applications === 1,
  );
  const dashboard = (await okOp('EmployerDashboard', { from, to }, employer)).me;
  expect(dashboard.id).toBe(employer.id);
  expect(dashboard.employerStats).toMatchObject({ activeJobs: 1, totalViews: 1, totalApplications: 1, averageDaysToHire: null });
  expect(dashboard.employerStats.applicationsByStatus).toContainEqual({ status: 'PENDING', count: 1 });

  const admin = await platform.admin();
  const platformStats = await waitFor(
    'the registrations to reach PlatformStats',
    async () => (await okOp('PlatformStats', { from, to }, admin)).platformStats,
    (stats) => stats.newUsers >= 2,
  );
  expect(platformStats).toMatchObject({ newJobs: 1, newApplications: 1, hires: 0 });
  expect(platformStats.daily).toContainEqual({ date: to, metricName: 'job_views', value: 1 });
});

it("refuses a job's statistics to another employer and the platform's to a non-admin, through the gateway", async () => {
  const other = await platform.employer();
  const refused = await op('JobStats', { jobId, from, to }, other);
  expect(errorCodeOf(refused)).toBe('FORBIDDEN');
  expect(refused.data!.job).toMatchObject({ id: jobId, stats: null });
  expect(errorCodeOf(await op('PlatformStats', { from, to }, other))).toBe('FORBIDDEN');
  const backwards = await op('PlatformStats', { from: to, to: from }, await platform.admin());
  expect(errorCodeOf(backwards)).toBe('BAD_USER_INPUT');
  expect(backwards.errors![0]!.extensions!.fields).toEqual([{ field: 'from', message: 'must not be after to' }]);
});
