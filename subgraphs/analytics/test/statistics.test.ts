import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toCalendarDate, type LeanSql } from '@jobplatform/service-runtime';
import { rebuildRollups } from '../src/rollups.js';
import { createStatisticsLoaders } from '../src/statistics.js';
import {
  applicationSubmitted,
  EMPLOYER_STATS,
  employerStatsVariables,
  errorCodeOf,
  JOB_STATS,
  jobCreated,
  jobStatsVariables,
  PLATFORM_STATS,
  startAnalyticsForTest,
  statusChanged,
  TRACK_EVENTS,
  type AnalyticsUnderTest,
} from './analytics-fixtures.js';

// analytics alone: platform events and client views become daily rollups, which the statistics read,
// each to whom it may show them; a repair rebuilds the rollups from the raw events.

const DAY = 24 * 60 * 60 * 1000;
let analytics: AnalyticsUnderTest;
const today = toCalendarDate(new Date());
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const EMPLOYER = '500';
const MEMBER = '501';
const COMPANY = '70';
const JOB = '8001';
const parties = (applicationId: string, applicantId: string) => ({ applicationId, jobId: JOB, applicantId, employerId: EMPLOYER, companyId: COMPANY });
const range = (from: string, to = today) => ({ from, to });
const first = toCalendarDate(daysAgo(10));

beforeAll(async () => {
  analytics = await startAnalyticsForTest();
  await analytics.fromService('jobs', 'jobs.company.member_added.v1', { companyId: COMPANY, userId: EMPLOYER, role: 'owner', actorId: EMPLOYER });
  await analytics.fromService('jobs', 'jobs.company.member_added.v1', { companyId: COMPANY, userId: MEMBER, role: 'member', actorId: EMPLOYER });
  await analytics.fromService('users', 'users.user.registered.v1', {
    userId: '600',
    username: 'seeker600',
    email: 'seeker600@example.com',
    firstName: null,
    lastName: null,
    userType: 'job_seeker',
    isActive: true,
    isVerified: false,
    dateJoined: daysAgo(9).toISOString(),
  });
  await analytics.fromService('jobs', 'jobs.job.created.v1', jobCreated({ id: JOB, companyId: COMPANY, employerId: EMPLOYER, createdAt: daysAgo(10) }), daysAgo(10));
  // Two applications: one submitted 8 days ago and hired 3.5 days later; one today, still pending.
  await analytics.fromService('applications', 'applications.application.submitted.v1', applicationSubmitted(parties('1', '600')), daysAgo(8));
  await analytics.fromService('applications', 'applications.application.status_changed.v1', statusChanged(parties('1', '600'), 'pending', 'reviewing'), daysAgo(6));
  await analytics.fromService('applications', 'applications.application.status_changed.v1', statusChanged(parties('1', '600'), 'reviewing', 'hired'), daysAgo(4.5));
  await analytics.fromService('applications', 'applications.application.submitted.v1', applicationSubmitted(parties('2', '601')), new Date());
  await analytics.fromService('search', 'search.search.performed.v1', { kind: 'jobs', query: 'engineer', resultCount: 3, searchedAt: new Date().toISOString() });
  const views = await analytics.gql(TRACK_EVENTS, { inputs: ['a', 'b', 'c'].map((sessionId) => ({ eventType: 'JOB_VIEW', sessionId, properties: { jobId: JOB } })) });
  expect(views.data!.trackEvents.accepted).toBe(3);
  await analytics.flush();
});
afterAll(async () => {
  await analytics?.close();
});

const jobStats = (token: string | undefined, from = first, to = today) => analytics.gql(JOB_STATS, jobStatsVariables(JOB, from, to), token ? { token } : {});

it("shows a job's views and applications by day to its employer, the company's members and admins", async () => {
  const stats = (await jobStats(`employer-${EMPLOYER}`)).data!._entities[0].stats;
  expect(stats.views).toBe(3);
  expect(stats.applications).toBe(2);
  expect(stats.daily).toHaveLength(11);
  expect(stats.daily[0]).toEqual({ date: first, views: 0, applications: 0 });
  expect(stats.daily.find((day: { date: string }) => day.date === toCalendarDate(daysAgo(8)))).toEqual({ date: toCalendarDate(daysAgo(8)), views: 0, applications: 1 });
  expect(stats.daily.at(-1)).toEqual({ date: today, views: 3, applications: 1 });

  expect((await jobStats(`employer-${MEMBER}`)).data!._entities[0].stats.views).toBe(3);
  expect((await jobStats('admin-1')).data!._entities[0].stats.applications).toBe(2);
});

it('reads a year of a job as the days it had activity on, not a row per day', async () => {
  // PostgreSQL sends the two days with views or applications; the service fills in the other 363.
  // A JSON object per day (20 KB for a year) made the statement three times as costly for
  // PostgreSQL and was the service's largest parse.
  const { sql } = analytics.service.domain;
  const sent: unknown[] = [];
  const recording: LeanSql = {
    ...sql,
    rows: async <Row>(...query: Parameters<LeanSql['rows']>) => {
      const rows = await sql.rows<Row>(...query);
      sent.push(rows);
      return rows;
    },
  };
  const year = range(toCalendarDate(daysAgo(364)));
  const viewer = { userId: EMPLOYER, role: 'employer' as const, tokenId: 't', sessionId: undefined };
  const { job, active } = await createStatisticsLoaders(recording, viewer).jobStatistics.load(`${year.from}|${year.to}|${JOB}`);
  expect(job).toEqual({ employerId: BigInt(EMPLOYER), viewerIsMember: true });
  expect(active).toEqual({ viewDays: [364], views: [3], applicationDays: [356, 364], applications: [1, 1] });
  expect(JSON.stringify(sent, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)).length).toBeLessThan(300);

  analytics.leanStatements.length = 0;
  const stats = (await jobStats(`employer-${EMPLOYER}`, year.from)).data!._entities[0].stats;
  expect(stats).toMatchObject({ views: 3, applications: 2 });
  // Read over node-postgres, not through Prisma's client (about a millisecond of CPU per statement).
  expect(analytics.leanStatements.filter((statement) => /FROM job_analytics a/.test(statement))).toHaveLength(1);
  expect(stats.daily).toHaveLength(365);
  expect(stats.daily[0]).toEqual({ date: year.from, views: 0, applications: 0 });
  expect(stats.daily[356]).toEqual({ date: toCalendarDate(daysAgo(8)), views: 0, applications: 1 });
  expect(stats.daily.at(-1)).toEqual({ date: today, views: 3, applications: 1 });
});

it('refuses the statistics of a job to another employer, a job seeker and an anonymous caller', async () => {
  for (const token of ['employer-999', 'job_seeker-600']) {
    const refused = await jobStats(token);
    expect(errorCodeOf(refused)).toBe('FORBIDDEN');
    expect(refused.data!._entities[0].stats).toBeNull();
  }
  expect(errorCodeOf(await jobStats(undefined))).toBe('UNAUTHENTICATED');
  // Read in one statement with a job of theirs, a job analytics does not know is still refused.
  const mixed = await analytics.gql(
    JOB_STATS,
    { representations: [JOB, '9999'].map((id) => ({ __typename: 'Job', id })), from: first, to: today },
    { token: `employer-${EMPLOYER}` },
  );
  expect(mixed.data!._entities[0].stats.views).toBe(3);
  expect(mixed.data!._entities[1].stats).toBeNull();
  expect(mixed.errors!.map((error) => [error.path, error.extensions?.code])).toEqual([[['_entities', 1, 'stats'], 'FORBIDDEN']]);
  // A member removed from the company no longer sees them.
  await analytics.fromService('jobs', 'jobs.company.member_removed.v1', { companyId: COMPANY, userId: MEMBER, role: 'member', actorId: EMPLOYER, reason: 'removed' });
  expect(errorCodeOf(await jobStats(`employer-${MEMBER}`))).toBe('FORBIDDEN');
});

it('refuses a range that ends before it starts or spans more than 366 days, naming the field', async () => {
  const backwards = await jobStats(`employer-${EMPLOYER}`, today, first);
  expect(errorCodeOf(backwards)).toBe('BAD_USER_INPUT');
  expect(backwards.errors![0]!.extensions!.fields).toEqual([{ field: 'from', message: 'must not be after to' }]);
  const tooLong = await analytics.gql(PLATFORM_STATS, range('2025-01-01', '2026-01-02'), { token: 'admin-1' });
  expect(tooLong.errors![0]!.extensions!.fields).toEqual([{ field: 'to', message: 'must be at most 366 days after from, counting both' }]);
  expect((await analytics.gql(PLATFORM_STATS, range('2024-01-01', '2024-12-31'), { token: 'admin-1' })).errors).toBeUndefined();
});

it("gives employers their own totals, with applications by status and the average days to hire, and nobody else's", async () => {
  const mine = await analytics.gql(EMPLOYER_STATS, employerStatsVariables(EMPLOYER, first, today), { token: `employer-${EMPLOYER}` });
  const stats = mine.data!._entities[0].employerStats;
  expect(stats).toMatchObject({ activeJobs: 1, totalViews: 3, totalApplications: 2, averageDaysToHire: 3.5 });
  expect(stats.applicationsByStatus).toEqual([
    { status: 'PENDING', count: 2 },
    { status: 'REVIEWING', count: 1 },
    { status: 'SHORTLISTED', count: 0 },
    { status: 'INTERVIEWING', count: 0 },
    { status: 'OFFERED', count: 0 },
    { status: 'HIRED', count: 1 },
    { status: 'REJECTED', count: 0 },
    { status: 'WITHDRAWN', count: 0 },
  ]);
  // Only the last two days: the pending application of today, no hire.
  const recent = (await analytics.gql(EMPLOYER_STATS, employerStatsVariables(EMPLOYER, toCalendarDate(daysAgo(1)), today), { token: `employer-${EMPLOYER}` })).data!._entities[0]
    .employerStats;
  expect(recent).toMatchObject({ totalApplications: 1, averageDaysToHire: null });

  // A job closed before the range is not one of its active jobs; one deleted in it, while open, is.
  const closedBefore = jobCreated({ id: '8002', companyId: COMPANY, employerId: EMPLOYER, createdAt: daysAgo(30) });
  await analytics.fromService('jobs', 'jobs.job.created.v1', closedBefore, daysAgo(30));
  await analytics.fromService('jobs', 'jobs.job.closed.v1', { ...closedBefore, job: { ...closedBefore.job, isActive: false }, reason: 'closed' }, daysAgo(15));
  const deletedInRange = jobCreated({ id: '8003', companyId: COMPANY, employerId: EMPLOYER, createdAt: daysAgo(30) });
  await analytics.fromService('jobs', 'jobs.job.created.v1', deletedInRange, daysAgo(30));
  await analytics.fromService('jobs', 'jobs.job.deleted.v1', { ...deletedInRange, job: { ...deletedInRange.job, isActive: false } }, daysAgo(2));
  expect((await analytics.gql(EMPLOYER_STATS, employerStatsVariables(EMPLOYER, first, today), { token: `employer-${EMPLOYER}` })).data!._entities[0].employerStats.activeJobs).toBe(
    2,
  );

  const theirs = await analytics.gql(EMPLOYER_STATS, employerStatsVariables(EMPLOYER, first, today), { token: 'admin-1' });
  expect(errorCodeOf(theirs)).toBe('FORBIDDEN');
  expect(errorCodeOf(await analytics.gql(EMPLOYER_STATS, employerStatsVariables(EMPLOYER, first, today), { token: 'employer-999' }))).toBe('FORBIDDEN');
});

it('shows the platform totals and daily metrics to admins only', async () => {
  const platform = (await analytics.gql(PLATFORM_STATS, range(first), { token: 'admin-1' })).data!.platformStats;
  expect(platform).toMatchObject({ newUsers: 1, newJobs: 1, newApplications: 2, hires: 1, searches: 1 });
  expect(platform.daily).toContainEqual({ date: today, metricName: 'job_views', value: 3 });
  expect(platform.daily).toContainEqual({ date: toCalendarDate(daysAgo(4.5)), metricName: 'hires', value: 1 });
  expect(errorCodeOf(await analytics.gql(PLATFORM_STATS, range(first), { token: `employer-${EMPLOYER}` }))).toBe('FORBIDDEN');
  expect(errorCodeOf(await analytics.gql(PLATFORM_STATS, range(first)))).toBe('UNAUTHENTICATED');
});

it('rebuilds damaged rollups of a range of days from the raw events, to the numbers ingest made', async () => {
  const snapshot = async () => ({
    job: (await analytics.db.query('SELECT job_id::text, metric_name, metric_date::text, metric_value FROM job_analytics ORDER BY 1, 2, 3')).rows,
    user: (await analytics.db.query('SELECT user_id::text, metric_name, metric_date::text, metric_value::text FROM user_analytics ORDER BY 1, 2, 3')).rows,
    platform: (await analytics.db.query('SELECT metric_name, metric_date::text, metric_value::text FROM platform_analytics ORDER BY 1, 2')).rows,
  });
  const before = await snapshot();
  expect(before.user.length).toBeGreaterThan(5);
  await analytics.db.query("UPDATE job_analytics SET metric_value = 99 WHERE metric_name = 'views'");
  await analytics.db.query('DELETE FROM user_analytics');
  await analytics.db.query("DELETE FROM platform_analytics WHERE metric_name = 'hires'");

  const { db } = analytics.service.domain;
  const counts = await db.$transaction((tx) => rebuildRollups(tx, first, today));
  const inRange = (rows: { [column: string]: unknown }[]) => rows.filter((row) => String(row.metric_date) >= first).length;
  expect(counts).toEqual({ jobRows: inRange(before.job), userRows: inRange(before.user), platformRows: inRange(before.platform) });
  expect(await snapshot()).toEqual(before);
  // Days outside the range are left alone.
  await db.$transaction((tx) => rebuildRollups(tx, toCalendarDate(daysAgo(3)), today));
  expect(await snapshot()).toEqual(before);
});

it('npm run analytics:rollup repairs the days it is given and refuses a backwards range', async () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  // npm run analytics:rollup runs this file the same way.
  const rollup = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=development', '--import', 'tsx', 'subgraphs/analytics/src/cli/rollup.ts', ...args],
        { cwd: root, env: { ...process.env, ANALYTICS_DATABASE_URL: analytics.db.url } },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  const views = async () => (await analytics.db.query("SELECT sum(metric_value)::int AS n FROM job_analytics WHERE metric_name = 'views'")).rows[0]!.n;
  const counted = await views();
  await analytics.db.query("UPDATE job_analytics SET metric_value = 0 WHERE metric_name = 'views'");

  const repaired = await rollup('--from', first, '--to', today);
  expect(repaired).toMatchObject({ status: 0, stderr: '' });
  expect(repaired.stdout).toMatch(new RegExp(`^${first} … ${today}: \\d+ job, \\d+ employer and \\d+ platform rollup rows$`, 'm'));
  expect(await views()).toBe(counted);

  const backwards = await rollup('--from', today, '--to', first);
  expect(backwards.status).toBe(1);
  expect(backwards.stderr).toContain('from: must not be after --to');
}, 60_000);
