import { createEnvelope, type EventInput, type EventSubject } from '@jobplatform/events';
import { toCalendarDate } from '@jobplatform/service-runtime';
import { platformEventBatchHandler } from '../src/platform-events.js';
import { applicationSubmitted, JOB_STATS, jobCreated, startAnalyticsForTest, statusChanged, type AnalyticsUnderTest } from './analytics-fixtures.js';

// The statistics of N jobs in one request (the gateway asks for them as N representations) cost one
// SQL statement whatever N is: the jobs, the viewer's memberships and every day of the range load
// together, so that JobStats for a year is one round trip to PostgreSQL.

let analytics: AnalyticsUnderTest;
const MEMBER = '801';
const today = toCalendarDate(new Date());
const from = toCalendarDate(new Date(Date.now() - 30 * 24 * 60 * 60 * 1000));

beforeAll(async () => {
  analytics = await startAnalyticsForTest();
  await analytics.fromService('jobs', 'jobs.company.member_added.v1', { companyId: '90', userId: MEMBER, role: 'member', actorId: '800' });
  for (let i = 1; i <= 20; i += 1) await analytics.fromService('jobs', 'jobs.job.created.v1', jobCreated({ id: String(7000 + i), companyId: '90', employerId: '800' }));
  await analytics.gql('mutation($inputs: [TrackEventInput!]!) { trackEvents(inputs: $inputs) { accepted } }', {
    inputs: Array.from({ length: 20 }, (_, i) => ({ eventType: 'JOB_VIEW', sessionId: `s${i}`, properties: { jobId: String(7001 + i) } })),
  });
  await analytics.flush();
});
afterAll(async () => {
  await analytics?.close();
});

async function statementsFor(jobs: number): Promise<number> {
  analytics.statements.length = 0;
  const representations = Array.from({ length: jobs }, (_, i) => ({ __typename: 'Job', id: String(7001 + i) }));
  const response = await analytics.gql(JOB_STATS, { representations, from, to: today }, { token: `employer-${MEMBER}` });
  expect(response.errors).toBeUndefined();
  expect(response.data!._entities.map((job: { stats: { views: number } }) => job.stats.views)).toEqual(Array(jobs).fill(1));
  return analytics.statements.filter((statement) => /^\s*SELECT/i.test(statement)).length;
}

it('reads the statistics of 1, 2 or 20 jobs a company member may see with one statement', async () => {
  expect(await statementsFor(1)).toBe(1);
  expect(await statementsFor(2)).toBe(1);
  expect(await statementsFor(20)).toBe(1);
});

it('writes a batch of platform events as a set: three statements for 30 submissions, hires of ten of them in the same batch and five new jobs', async () => {
  const handler = platformEventBatchHandler(analytics.service.domain.partitions);
  const context = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', deliveryCount: 1, streamSequence: 1, consumer: 'test' };
  const item = <S extends EventSubject>(source: string, subject: S, data: EventInput<S>, occurredAt: Date) => ({
    event: createEnvelope(source, subject, data, { occurredAt }),
    context,
  });
  const submittedAt = new Date(Date.now() - 3 * 24 * 60 * 60 * 1000);
  const hiredAt = new Date(submittedAt.getTime() + 1.5 * 24 * 60 * 60 * 1000);
  const parties = (i: number) => ({ applicationId: String(90_000 + i), jobId: '7001', applicantId: String(60_000 + i), employerId: '800', companyId: '90' });
  const items = [
    ...Array.from({ length: 30 }, (_, i) => item('applications', 'applications.application.submitted.v1', applicationSubmitted(parties(i)), submittedAt)),
    ...Array.from({ length: 10 }, (_, i) => item('applications', 'applications.application.status_changed.v1', statusChanged(parties(i), 'offered', 'hired'), hiredAt)),
    ...Array.from({ length: 5 }, (_, i) => item('jobs', 'jobs.job.created.v1', jobCreated({ id: String(8000 + i), companyId: '90', employerId: '800' }), new Date())),
  ];
  // Their months' partitions first: a month new to the process costs its two statements once (partitions.test.ts).
  await analytics.service.sql.transaction((tx) => analytics.service.domain.partitions.ensureFor(tx, [submittedAt, hiredAt, new Date()]));
  analytics.leanStatements.length = 0;
  await analytics.service.sql.transaction((tx) => handler.handle(items, tx));
  expect(analytics.leanStatements).toHaveLength(3);
  const { rows } = await analytics.db.query<{ event_type: string; n: number; days: string | null }>(
    `SELECT event_type, count(*)::int AS n, min(properties->>'daysToHire') AS days FROM analytics_events
     WHERE (properties->>'applicationId')::bigint >= 90000 OR (properties->>'jobId')::bigint >= 8000 GROUP BY event_type ORDER BY event_type`,
  );
  expect(rows).toEqual([
    { event_type: 'application_status_changed', n: 10, days: '1.5' },
    { event_type: 'application_submitted', n: 30, days: null },
    { event_type: 'job_created', n: 5, days: null },
  ]);
});
