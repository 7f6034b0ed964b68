import { applicationSubmitted, jobCreated, startAnalyticsForTest, TRACK_EVENT, TRACK_EVENTS, type AnalyticsUnderTest } from './analytics-fixtures.js';

// analytics' part of account erasure: raw events lose the person, rollups stay.

let analytics: AnalyticsUnderTest;
const USER = '700';
const JOB = '8101';

beforeAll(async () => {
  analytics = await startAnalyticsForTest();
  await analytics.fromService('jobs', 'jobs.job.created.v1', jobCreated({ id: JOB, companyId: '71', employerId: '510' }));
});
afterAll(async () => {
  await analytics?.close();
});

it("anonymises the user's raw events and the anonymous ones of their sessions, keeps the rollups, and replies to users", async () => {
  const view = (sessionId: string) => ({ eventType: 'JOB_VIEW', sessionId, properties: { jobId: JOB } });
  // Before signing in, then signed in, in the same session; someone else viewing their profile; another person's view.
  await analytics.gql(TRACK_EVENT, { input: view('their-phone') });
  await analytics.gql(
    TRACK_EVENTS,
    { inputs: [{ eventType: 'COMPANY_VIEW', sessionId: 'their-phone', properties: { companyId: '71' } }, view('their-laptop')] },
    { token: `job_seeker-${USER}` },
  );
  await analytics.gql(TRACK_EVENT, { input: { eventType: 'PROFILE_VIEW', sessionId: 'recruiter', properties: { userId: USER } } }, { token: 'employer-510' });
  await analytics.gql(TRACK_EVENT, { input: view('stranger') });
  await analytics.fromService(
    'applications',
    'applications.application.submitted.v1',
    applicationSubmitted({ applicationId: '31', jobId: JOB, applicantId: USER, employerId: '510', companyId: '71' }),
  );
  await analytics.flush();
  const rollups = async () => (await analytics.db.query('SELECT job_id::text, metric_name, metric_value FROM job_analytics ORDER BY 2')).rows;
  const counted = await rollups();
  expect(counted).toEqual([
    { job_id: JOB, metric_name: 'applications', metric_value: 1 },
    { job_id: JOB, metric_name: 'views', metric_value: 3 },
  ]);

  await analytics.fromService('users', 'users.user.deleted.v1', { userId: USER, requestedAt: new Date().toISOString() });

  const { rows } = await analytics.db.query('SELECT event_type, user_id::text, session_id, properties FROM analytics_events ORDER BY event_type, session_id NULLS FIRST, id');
  expect(rows).toEqual([
    { event_type: 'COMPANY_VIEW', user_id: null, session_id: null, properties: { companyId: '71' } },
    { event_type: 'JOB_VIEW', user_id: null, session_id: null, properties: { jobId: JOB } },
    { event_type: 'JOB_VIEW', user_id: null, session_id: null, properties: { jobId: JOB } },
    { event_type: 'JOB_VIEW', user_id: null, session_id: 'stranger', properties: { jobId: JOB } },
    { event_type: 'PROFILE_VIEW', user_id: '510', session_id: 'recruiter', properties: {} },
    { event_type: 'application_submitted', user_id: null, session_id: null, properties: { applicationId: '31', jobId: JOB, companyId: '71' } },
    { event_type: 'job_created', user_id: '510', session_id: null, properties: { jobId: JOB, companyId: '71' } },
  ]);
  expect((await analytics.db.query('SELECT session_id FROM job_view_sessions ORDER BY 1')).rows).toEqual([{ session_id: 'stranger' }]);
  expect(await rollups()).toEqual(counted);

  const [reply] = await analytics.outbox('analytics.user_erasure.completed.v1');
  expect(reply!.data).toMatchObject({ userId: USER, service: 'analytics', summary: { anonymisedEvents: 5, forgottenViewSessions: 2 } });

  // users may ask again: nothing is left to do.
  await analytics.fromService('users', 'users.user.deleted.v1', { userId: USER, requestedAt: new Date().toISOString() });
  const replies = await analytics.outbox('analytics.user_erasure.completed.v1');
  expect(replies.at(-1)!.data.summary).toEqual({ anonymisedEvents: 0, forgottenViewSessions: 0 });
});
