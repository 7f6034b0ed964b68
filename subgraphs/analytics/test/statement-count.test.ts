import { toCalendarDate } from '@jobplatform/service-runtime';
import { JOB_STATS, jobCreated, startAnalyticsForTest, type AnalyticsUnderTest } from './analytics-fixtures.js';

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
