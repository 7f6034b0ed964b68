import { toCalendarDate } from '@jobplatform/service-runtime';
import { createTestClock, errorCodeOf, jobCreated, startAnalyticsForTest, TRACK_EVENT, TRACK_EVENTS, type AnalyticsUnderTest } from './analytics-fixtures.js';

// analytics alone: client events checked, rate-limited, buffered, written with their rollups.

const clock = createTestClock();
let analytics: AnalyticsUnderTest;
const JOB = '9001';
let addresses = 0;
/** Each test calls from an address of its own, so that the address limit of one does not touch another. */
const fromNewAddress = () => ({ 'x-client-ip': `203.0.113.${++addresses}` });

beforeAll(async () => {
  analytics = await startAnalyticsForTest({ now: clock.now, env: { ANALYTICS_RATE_LIMIT_PER_SESSION: '5', ANALYTICS_RATE_LIMIT_PER_ADDRESS: '12' } });
  await analytics.fromService('jobs', 'jobs.job.created.v1', jobCreated({ id: JOB, companyId: '77', employerId: '500' }));
});
afterAll(async () => {
  await analytics?.close();
});

const view = (sessionId: string, jobId = JOB) => ({ eventType: 'JOB_VIEW', sessionId, properties: { jobId } });
const viewsOf = async (jobId: string) =>
  (await analytics.db.query<{ n: number }>("SELECT coalesce(sum(metric_value), 0)::int AS n FROM job_analytics WHERE job_id = $1 AND metric_name = 'views'", [jobId])).rows[0]!.n;

it('takes an anonymous view and a signed-in one, records who sent the second, and counts both for the job', async () => {
  const headers = fromNewAddress();
  const before = await viewsOf(JOB);
  expect((await analytics.gql(TRACK_EVENT, { input: view('anon-session') }, { headers })).data).toEqual({ trackEvent: true });
  const signedIn = await analytics.gql(TRACK_EVENT, { input: { ...view('their-session'), clientTimestamp: '2026-01-02T03:04:05Z' } }, { token: 'job_seeker-42', headers });
  expect(signedIn.data).toEqual({ trackEvent: true });
  await analytics.flush();

  const { rows } = await analytics.db.query(
    "SELECT user_id::text, session_id, properties, client_timestamp FROM analytics_events WHERE event_type = 'JOB_VIEW' AND session_id IN ('anon-session', 'their-session') ORDER BY session_id",
  );
  expect(rows).toEqual([
    { user_id: null, session_id: 'anon-session', properties: { jobId: JOB }, client_timestamp: null },
    { user_id: '42', session_id: 'their-session', properties: { jobId: JOB }, client_timestamp: new Date('2026-01-02T03:04:05Z') },
  ]);
  expect(await viewsOf(JOB)).toBe(before + 2);
  const metrics = await (await fetch(new URL('/metrics', analytics.service.url))).text();
  expect(metrics).toMatch(/^analytics_events_written_total\{service="analytics"\} [1-9]/m);
  expect(metrics).toMatch(/^analytics_buffered_events\{service="analytics"\} 0$/m);
  // The month's partition holds them.
  const partition = `analytics_events_${toCalendarDate(clock.now()).slice(0, 7).replace('-', '_')}`;
  expect((await analytics.db.query(`SELECT count(*)::int AS n FROM ${partition} WHERE session_id = 'anon-session'`)).rows[0]!.n).toBe(1);
});

it("refuses a JOB_VIEW without a job, of a job the platform does not have, with another type's property, or over 4 KB", async () => {
  const headers = fromNewAddress();
  let sessions = 0;
  // Each from a session of its own, so that no refusal is the session's rate limit.
  const refused = async (input: Record<string, unknown>) => {
    const response = await analytics.gql(TRACK_EVENT, { input: { ...input, sessionId: input.sessionId === '' ? '' : `refused-${++sessions}` } }, { headers });
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    return response.errors![0]!.extensions!.fields;
  };
  expect(await refused({ eventType: 'JOB_VIEW', sessionId: 's1', properties: {} })).toEqual([{ field: 'input.properties.jobId', message: expect.any(String) }]);
  expect(await refused({ eventType: 'JOB_VIEW', sessionId: 's1', properties: { jobId: 'abc' } })).toEqual([{ field: 'input.properties.jobId', message: 'is not a valid id' }]);
  expect(await refused(view('s1', '123456'))).toEqual([{ field: 'input.properties.jobId', message: 'is not a job on the platform' }]);
  expect(await refused({ eventType: 'JOB_VIEW', sessionId: 's1', properties: { jobId: JOB, email: 'a@b.c' } })).toEqual([
    { field: 'input.properties', message: 'JOB_VIEW takes no email' },
  ]);
  expect(await refused({ eventType: 'COMPANY_VIEW', sessionId: 's1', properties: { companyId: '1', note: 'x'.repeat(4100) } })).toEqual([
    { field: 'input.properties', message: 'must be at most 4096 bytes as JSON' },
  ]);
  expect(await refused({ eventType: 'JOB_VIEW', sessionId: '', properties: { jobId: JOB } })).toEqual([{ field: 'input.sessionId', message: 'must not be empty' }]);
  await analytics.flush();
  expect((await analytics.db.query("SELECT count(*)::int AS n FROM analytics_events WHERE session_id LIKE 'refused-%'")).rows[0]!.n).toBe(0);
});

it('trackEvents keeps the valid events of a batch and reports the invalid ones by index', async () => {
  const response = await analytics.gql(
    TRACK_EVENTS,
    {
      inputs: [
        view('batch-a'),
        { eventType: 'JOB_APPLY_CLICK', sessionId: 'batch-a', properties: { jobId: '424242' } },
        { eventType: 'COMPANY_VIEW', sessionId: 'batch-b', properties: { companyId: '77' } },
      ],
    },
    { headers: fromNewAddress() },
  );
  expect(response.data!.trackEvents).toEqual({ accepted: 2, rejected: [{ index: 1, field: 'inputs.1.properties.jobId', message: 'is not a job on the platform' }] });
  await analytics.flush();
  const { rows } = await analytics.db.query("SELECT event_type FROM analytics_events WHERE session_id IN ('batch-a', 'batch-b') ORDER BY event_type");
  expect(rows.map((row) => row.event_type)).toEqual(['COMPANY_VIEW', 'JOB_VIEW']);

  const tooMany = await analytics.gql(TRACK_EVENTS, { inputs: Array.from({ length: 101 }, (_, i) => view(`many-${i}`)) }, { headers: fromNewAddress() });
  expect(errorCodeOf(tooMany)).toBe('BAD_USER_INPUT');
  expect(tooMany.errors![0]!.extensions!.fields).toEqual([{ field: 'inputs', message: 'must hold at most 100 events' }]);
});

it('limits the events of one session and of one address per window', async () => {
  const headers = fromNewAddress();
  const five = await analytics.gql(
    TRACK_EVENTS,
    { inputs: Array.from({ length: 5 }, () => ({ eventType: 'COMPANY_VIEW', sessionId: 'chatty', properties: { companyId: '1' } })) },
    { headers },
  );
  expect(five.data!.trackEvents.accepted).toBe(5);
  const sixth = await analytics.gql(TRACK_EVENT, { input: { eventType: 'COMPANY_VIEW', sessionId: 'chatty', properties: { companyId: '1' } } }, { headers });
  expect(errorCodeOf(sixth)).toBe('TOO_MANY_REQUESTS');
  expect(sixth.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);

  // Other sessions from the same address: 5 + 5 + 2 reach the address's 12, the next is refused.
  await analytics.gql(
    TRACK_EVENTS,
    { inputs: Array.from({ length: 5 }, () => ({ eventType: 'COMPANY_VIEW', sessionId: 'office-1', properties: { companyId: '1' } })) },
    { headers },
  );
  await analytics.gql(
    TRACK_EVENTS,
    { inputs: Array.from({ length: 2 }, () => ({ eventType: 'COMPANY_VIEW', sessionId: 'office-2', properties: { companyId: '1' } })) },
    { headers },
  );
  expect(errorCodeOf(await analytics.gql(TRACK_EVENT, { input: { eventType: 'COMPANY_VIEW', sessionId: 'office-3', properties: { companyId: '1' } } }, { headers }))).toBe(
    'TOO_MANY_REQUESTS',
  );
  // Another address is not held back.
  expect(
    (await analytics.gql(TRACK_EVENT, { input: { eventType: 'COMPANY_VIEW', sessionId: 'office-3', properties: { companyId: '1' } } }, { headers: fromNewAddress() })).data,
  ).toEqual({ trackEvent: true });

  clock.advance(61_000);
  expect((await analytics.gql(TRACK_EVENT, { input: { eventType: 'COMPANY_VIEW', sessionId: 'chatty', properties: { companyId: '1' } } }, { headers })).data).toEqual({
    trackEvent: true,
  });
});

it('counts repeated views of a job by one session within 30 minutes once', async () => {
  await analytics.fromService('jobs', 'jobs.job.created.v1', jobCreated({ id: '9002', companyId: '77', employerId: '500' }));
  const headers = fromNewAddress();
  // Two in one call (one batch), one more in the next batch, another session's view, all within the window.
  const both = await analytics.gql(TRACK_EVENTS, { inputs: [view('repeat', '9002'), view('repeat', '9002')] }, { headers });
  expect(both.data!.trackEvents).toEqual({ accepted: 2, rejected: [] });
  await analytics.flush();
  clock.advance(10 * 60_000);
  await analytics.gql(TRACK_EVENT, { input: view('repeat', '9002') }, { headers });
  await analytics.gql(TRACK_EVENT, { input: view('someone-else', '9002') }, { headers });
  await analytics.flush();
  expect(await viewsOf('9002')).toBe(2);

  // 30 minutes after the counted view, the session's view counts again.
  clock.advance(21 * 60_000);
  await analytics.gql(TRACK_EVENT, { input: view('repeat', '9002') }, { headers });
  await analytics.flush();
  expect(await viewsOf('9002')).toBe(3);
  expect((await analytics.db.query("SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'repeat'")).rows[0]!.n).toBe(2);
});

it('writes every accepted event when the service stops, without waiting for the next interval', async () => {
  const headers = fromNewAddress();
  await analytics.fromService('jobs', 'jobs.job.created.v1', jobCreated({ id: '9003', companyId: '77', employerId: '500' }));
  const inputs = Array.from({ length: 12 }, (_, i) => ({ eventType: 'COMPANY_VIEW', sessionId: `closing-${i % 2}`, properties: { companyId: '5' } }));
  const outcome = await analytics.service.domain.ingest.trackMany({ viewer: undefined, clientIp: headers['x-client-ip'] }, inputs.slice(0, 10) as never);
  expect(outcome.accepted).toBe(10);
  expect(analytics.service.domain.buffer.size).toBeGreaterThanOrEqual(10);
  await analytics.service.close();
  expect(analytics.service.domain.buffer.size).toBe(0);
  expect((await analytics.db.query("SELECT count(*)::int AS n FROM analytics_events WHERE session_id LIKE 'closing-%'")).rows[0]!.n).toBe(10);
});
