// npm run seed against running users, jobs and analytics services: once analytics has copied the
// data set's jobs, the seed writes their history of client activity, which the employers' JobStats
// and EmployerDashboard then show through the gateway.
import { toCalendarDate } from '@jobplatform/service-runtime';
import { startPlatformForTest, type PlatformUnderTest } from '@jobplatform/testing';
import { seedPlatform } from '../src/seed/seed-platform.js';

let platform: PlatformUnderTest;

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs', 'analytics'] });
}, 120_000);
afterAll(async () => {
  await platform?.close();
});

const seed = (days: number) =>
  seedPlatform({
    usersDatabaseUrl: platform.service('users').db.url,
    jobsDatabaseUrl: platform.service('jobs').db.url,
    natsUrl: platform.service('users').natsUrl,
    seed: 31,
    companies: 2,
    jobs: 6,
    concurrency: 4,
    logLevel: 'silent',
    analytics: { analyticsDatabaseUrl: platform.service('analytics').db.url, days, replicaTimeoutMs: 60_000 },
  });

it("writes days of activity on the data set's jobs, shown to their employers through the gateway, once", async () => {
  const summary = await seed(60);
  const analytics = platform.service('analytics').db;
  const days = await analytics.query<{ first: string; last: string; views: number }>(
    "SELECT min(metric_date)::text AS first, max(metric_date)::text AS last, sum(metric_value)::int AS views FROM job_analytics WHERE metric_name = 'views'",
  );
  const { first, last, views } = days.rows[0]!;
  const today = toCalendarDate(new Date());
  expect(views).toBeGreaterThan(0);
  expect(first >= toCalendarDate(new Date(Date.now() - 60 * 24 * 60 * 60 * 1000))).toBe(true);
  expect(last < today).toBe(true);
  expect((await analytics.query("SELECT count(*)::int AS n FROM platform_analytics WHERE metric_name = 'searches'")).rows[0]!.n).toBeGreaterThan(0);

  const login = await platform.gql('mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }', {
    email: summary.employerEmails[0],
    password: summary.employerPassword,
  });
  const token = login.data!.login.accessToken;
  const from = toCalendarDate(new Date(Date.now() - 90 * 24 * 60 * 60 * 1000));
  const dashboard = await platform.gql(
    'query($from: Date!, $to: Date!) { me { id employerStats(from: $from, to: $to) { activeJobs totalViews } } }',
    { from, to: today },
    { token },
  );
  expect(dashboard.errors).toBeUndefined();
  const { id, employerStats } = dashboard.data!.me;
  const theirViews = await analytics.query<{ n: number }>("SELECT coalesce(sum(metric_value), 0)::int AS n FROM user_analytics WHERE user_id = $1 AND metric_name = 'job_views'", [
    id,
  ]);
  expect(employerStats.activeJobs).toBeGreaterThan(0);
  expect(employerStats.totalViews).toBeGreaterThan(0);
  expect(employerStats.totalViews).toBe(theirViews.rows[0]!.n);

  const before = (await analytics.query('SELECT count(*)::int AS n FROM analytics_events')).rows[0]!.n;
  await seed(60);
  expect((await analytics.query('SELECT count(*)::int AS n FROM analytics_events')).rows[0]!.n).toBe(before);
}, 240_000);
