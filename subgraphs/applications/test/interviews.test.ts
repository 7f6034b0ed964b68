import { APPLICATIONS_OPERATIONS } from './operations.js';
import { errorCodeOf, startPlatformForTest, type Account, type PlatformUnderTest } from './start-applications.js';

/** Three services, their databases and the accounts and jobs of the tests: slow on a busy machine. */
const PLATFORM_START_MS = 180_000;

// Interviews through the gateway, with users, jobs and applications on one nats-server: the
// contract's Schedule/Reschedule/Cancel/CompleteInterview, who may (the job's employer side only),
// the input rules, the application moving to INTERVIEWING with its history entry, and each change's
// event in the outbox of its transaction.

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;
let jobId: string;
let seeker: Account;
let otherEmployer: Account;
let admin: Account;

const hour = 60 * 60 * 1000;
const inHours = (hours: number) => new Date(Date.now() + hours * hour).toISOString();

const op = (operationName: string, variables: Record<string, unknown>, account: Account) =>
  platform.gql(APPLICATIONS_OPERATIONS, variables, { operationName, token: account.accessToken });
async function okOp(operationName: string, variables: Record<string, unknown>, account: Account) {
  const response = await op(operationName, variables, account);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** A fresh application by `seeker` to a fresh job of the employer's company, moved to `status` by the employer. */
async function application(status?: string): Promise<string> {
  const job = await platform.postJob(employer, companyId, { title: 'Designer' });
  const id = await platform.apply(seeker, job);
  if (status) await okOp('UpdateApplicationStatus', { id, status }, employer);
  return id;
}

const outboxOf = async (applicationId: string) =>
  (await platform.applications.outbox()).filter((event) => event.aggregateId === applicationId).map((event) => ({ type: event.type, data: event.data as Record<string, unknown> }));

const schedule = (applicationId: string, input: Record<string, unknown> = {}, account = employer) =>
  op('ScheduleInterview', { input: { applicationId, scheduledAt: inHours(48), ...input } }, account);

beforeAll(async () => {
  platform = await startPlatformForTest();
  ({ employer, companyId } = await platform.employerWithCompany('Umbrella'));
  jobId = await platform.postJob(employer, companyId, { title: 'Researcher' });
  [seeker, admin] = await Promise.all([platform.applicant(), platform.admin()]);
  ({ employer: otherEmployer } = await platform.employerWithCompany('Aperture'));
}, PLATFORM_START_MS);
afterAll(async () => {
  await platform.close();
});

describe('ScheduleInterview', () => {
  it('schedules for a SHORTLISTED application, which moves to INTERVIEWING with its history entry and both events', async () => {
    const applicationId = await platform.apply(seeker, jobId);
    await okOp('UpdateApplicationStatus', { id: applicationId, status: 'SHORTLISTED' }, employer);
    const scheduledAt = inHours(24);
    const { scheduleInterview } = await okOp(
      'ScheduleInterview',
      { input: { applicationId, interviewType: 'VIDEO', scheduledAt, durationMinutes: 45, location: ' https://meet.example/abc ', notes: 'Bring a portfolio.' } },
      employer,
    );
    expect(scheduleInterview).toEqual({
      id: expect.any(String),
      interviewType: 'VIDEO',
      scheduledAt,
      durationMinutes: 45,
      location: 'https://meet.example/abc',
      notes: 'Bring a portfolio.',
      status: 'SCHEDULED',
      application: { id: applicationId, status: 'INTERVIEWING' },
    });

    const { application } = await okOp('Application', { id: applicationId }, seeker);
    expect(application.status).toBe('INTERVIEWING');
    expect(application.statusHistory.map((entry: { status: string; changedBy: { id: string } | null }) => [entry.status, entry.changedBy?.id])).toEqual([
      ['PENDING', seeker.id],
      ['SHORTLISTED', employer.id],
      ['INTERVIEWING', employer.id],
    ]);
    expect(application.interviews).toEqual([
      {
        id: scheduleInterview.id,
        interviewType: 'VIDEO',
        scheduledAt,
        durationMinutes: 45,
        location: 'https://meet.example/abc',
        notes: 'Bring a portfolio.',
        status: 'SCHEDULED',
      },
    ]);

    const events = await outboxOf(applicationId);
    expect(events.slice(-2)).toEqual([
      {
        type: 'applications.interview.scheduled.v1',
        data: {
          applicationId,
          jobId,
          applicantId: seeker.id,
          employerId: employer.id,
          companyId,
          companyMemberIds: [employer.id],
          interviewId: scheduleInterview.id,
          interviewType: 'video',
          scheduledAt,
          durationMinutes: 45,
          status: 'scheduled',
          actorId: employer.id,
        },
      },
      {
        type: 'applications.application.status_changed.v1',
        data: expect.objectContaining({
          applicationId,
          fromStatus: 'shortlisted',
          toStatus: 'interviewing',
          isActive: true,
          actorKind: 'employer',
          changedBy: employer.id,
          reason: null,
        }),
      },
    ]);
  });

  it('takes PHONE and 60 minutes by default, and leaves an application already INTERVIEWING where it is', async () => {
    const applicationId = await application('INTERVIEWING');
    const historyBefore = (await okOp('Application', { id: applicationId }, employer)).application.statusHistory.length;
    const { scheduleInterview } = await okOp('ScheduleInterview', { input: { applicationId, scheduledAt: inHours(5) } }, employer);
    expect(scheduleInterview).toMatchObject({
      interviewType: 'PHONE',
      durationMinutes: 60,
      location: null,
      notes: null,
      status: 'SCHEDULED',
      application: { status: 'INTERVIEWING' },
    });
    expect((await okOp('Application', { id: applicationId }, employer)).application.statusHistory).toHaveLength(historyBefore);
    expect((await outboxOf(applicationId)).at(-1)!.type).toBe('applications.interview.scheduled.v1');
  });

  it('moves a PENDING application straight to INTERVIEWING (the employer side may skip steps)', async () => {
    const applicationId = await application();
    expect((await okOp('ScheduleInterview', { input: { applicationId, scheduledAt: inHours(5) } }, employer)).scheduleInterview.application.status).toBe('INTERVIEWING');
  });

  it('is for the employer side only: FORBIDDEN for the applicant and an admin, NOT_FOUND for another employer; nothing is written', async () => {
    const applicationId = await application('SHORTLISTED');
    const eventsBefore = (await outboxOf(applicationId)).length;
    expect(errorCodeOf(await schedule(applicationId, {}, seeker))).toBe('FORBIDDEN');
    expect(errorCodeOf(await schedule(applicationId, {}, admin))).toBe('FORBIDDEN');
    expect(errorCodeOf(await schedule(applicationId, {}, otherEmployer))).toBe('NOT_FOUND');
    expect(errorCodeOf(await schedule('999999999'))).toBe('NOT_FOUND');
    const { application: after } = await okOp('Application', { id: applicationId }, employer);
    expect(after).toMatchObject({ status: 'SHORTLISTED', interviews: [] });
    expect(await outboxOf(applicationId)).toHaveLength(eventsBefore);
  });

  it('refuses a time in the past and lengths outside 15 to 480 minutes, naming each field', async () => {
    const applicationId = await application('SHORTLISTED');
    const past = await schedule(applicationId, { scheduledAt: new Date(Date.now() - 60_000).toISOString() });
    expect(errorCodeOf(past)).toBe('BAD_USER_INPUT');
    expect(past.errors![0]!.extensions!.fields).toEqual([{ field: 'input.scheduledAt', message: 'must be in the future' }]);
    for (const durationMinutes of [10, 500]) {
      const response = await schedule(applicationId, { durationMinutes });
      expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields).toEqual([
        { field: 'input.durationMinutes', message: expect.stringMatching(durationMinutes === 10 ? /at least 15/ : /at most 480/) },
      ]);
    }
    const both = await schedule(applicationId, { scheduledAt: new Date(Date.now() - 60_000).toISOString(), durationMinutes: 500, location: 'x'.repeat(256) });
    expect((both.errors![0]!.extensions!.fields as { field: string }[]).map((problem) => problem.field)).toEqual(['input.scheduledAt', 'input.durationMinutes', 'input.location']);
    expect((await okOp('Application', { id: applicationId }, employer)).application).toMatchObject({ status: 'SHORTLISTED', interviews: [] });
  });

  it('refuses a final application', async () => {
    const applicationId = await application();
    await okOp('WithdrawApplication', { id: applicationId }, seeker);
    const response = await schedule(applicationId);
    expect(errorCodeOf(response)).toBe('CONFLICT');
    expect(response.errors![0]!.message).toContain('WITHDRAWN, which is final');
  });
});

describe('RescheduleInterview, CancelInterview and CompleteInterview', () => {
  let applicationId: string;
  let interviewId: string;

  beforeAll(async () => {
    applicationId = await application('SHORTLISTED');
    interviewId = (await okOp('ScheduleInterview', { input: { applicationId, scheduledAt: inHours(10), durationMinutes: 30 } }, employer)).scheduleInterview.id;
  });

  it('moves an interview to a new time, keeping its length unless given, with the previous time in its event', async () => {
    const first = inHours(20);
    expect((await okOp('RescheduleInterview', { id: interviewId, scheduledAt: first }, employer)).rescheduleInterview).toEqual({
      id: interviewId,
      scheduledAt: first,
      durationMinutes: 30,
      status: 'RESCHEDULED',
    });
    const second = inHours(30);
    expect((await okOp('RescheduleInterview', { id: interviewId, scheduledAt: second, durationMinutes: 90 }, employer)).rescheduleInterview).toEqual({
      id: interviewId,
      scheduledAt: second,
      durationMinutes: 90,
      status: 'RESCHEDULED',
    });
    const [, last] = (await outboxOf(applicationId)).filter((event) => event.type === 'applications.interview.rescheduled.v1');
    expect(last!.data).toMatchObject({
      interviewId,
      status: 'rescheduled',
      scheduledAt: second,
      durationMinutes: 90,
      previousScheduledAt: first,
      previousDurationMinutes: 30,
      actorId: employer.id,
    });
  });

  it('refuses the applicant, another employer, a past time and a bad length', async () => {
    const later = inHours(40);
    expect(errorCodeOf(await op('RescheduleInterview', { id: interviewId, scheduledAt: later }, seeker))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('RescheduleInterview', { id: interviewId, scheduledAt: later }, otherEmployer))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('CancelInterview', { id: interviewId }, seeker))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('CompleteInterview', { id: interviewId }, otherEmployer))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('CancelInterview', { id: '999999999' }, employer))).toBe('NOT_FOUND');
    const past = await op('RescheduleInterview', { id: interviewId, scheduledAt: new Date(Date.now() - hour).toISOString(), durationMinutes: 10 }, employer);
    expect(errorCodeOf(past)).toBe('BAD_USER_INPUT');
    expect((past.errors![0]!.extensions!.fields as { field: string }[]).map((problem) => problem.field)).toEqual(['scheduledAt', 'durationMinutes']);
    expect((await okOp('Application', { id: applicationId }, employer)).application.interviews[0]).toMatchObject({ durationMinutes: 90, status: 'RESCHEDULED' });
  });

  it('completes an interview only once it has started, with the employer side’s notes', async () => {
    const notStarted = await op('CompleteInterview', { id: interviewId, notes: 'Great.' }, employer);
    expect(errorCodeOf(notStarted)).toBe('CONFLICT');
    expect(notStarted.errors![0]!.message).toContain('can be completed once it has started');

    // The interview's time comes.
    await platform.applications.db.query(`UPDATE interviews SET scheduled_at = now() - interval '1 hour' WHERE id = $1`, [interviewId]);
    expect((await okOp('CompleteInterview', { id: interviewId, notes: '  Strong candidate.  ' }, employer)).completeInterview).toEqual({
      id: interviewId,
      status: 'COMPLETED',
      notes: 'Strong candidate.',
    });
    expect((await outboxOf(applicationId)).at(-1)).toMatchObject({ type: 'applications.interview.completed.v1', data: { interviewId, status: 'completed', actorId: employer.id } });

    const again = await op('CancelInterview', { id: interviewId }, employer);
    expect(errorCodeOf(again)).toBe('CONFLICT');
    expect(again.errors![0]!.message).toContain('already COMPLETED');
  });

  it('cancels an interview still to be held, with a reason for the applicant', async () => {
    const { scheduleInterview } = await okOp('ScheduleInterview', { input: { applicationId, scheduledAt: inHours(50) } }, employer);
    expect((await okOp('CancelInterview', { id: scheduleInterview.id, reason: 'The position was filled internally.' }, employer)).cancelInterview).toEqual({
      id: scheduleInterview.id,
      status: 'CANCELLED',
    });
    const reason = await platform.applications.db.query('SELECT cancellation_reason FROM interviews WHERE id = $1', [scheduleInterview.id]);
    expect(reason.rows[0]!.cancellation_reason).toBe('The position was filled internally.');
    expect((await outboxOf(applicationId)).at(-1)).toMatchObject({
      type: 'applications.interview.cancelled.v1',
      data: { interviewId: scheduleInterview.id, status: 'cancelled', actorId: employer.id },
    });
    expect(errorCodeOf(await op('RescheduleInterview', { id: scheduleInterview.id, scheduledAt: inHours(60) }, employer))).toBe('CONFLICT');
    const tooLong = await op('CancelInterview', { id: interviewId, reason: 'x'.repeat(2001) }, employer);
    expect(tooLong.errors![0]!.extensions!.fields).toEqual([{ field: 'reason', message: 'must be at most 2,000 characters' }]);
  });

  it('lists interviews by time on the application, for the applicant too, and each names its application', async () => {
    const { application } = await okOp('Application', { id: applicationId }, seeker);
    expect(application.interviews.map((interview: { status: string }) => interview.status)).toEqual(['COMPLETED', 'CANCELLED']);
    const { me } = (await platform.ok(`query { me { applications(first: 50) { edges { node { id interviews { id status } } } } } }`, {}, seeker)) as {
      me: { applications: { edges: { node: { id: string; interviews: { id: string; status: string }[] } }[] } };
    };
    expect(me.applications.edges.find((edge) => edge.node.id === applicationId)!.node.interviews).toHaveLength(2);
  });
});

describe('an application that becomes final', () => {
  it('calls off its interviews still to be held, as the platform, in the transaction of the change', async () => {
    const applicationId = await application('SHORTLISTED');
    const { scheduleInterview } = await okOp('ScheduleInterview', { input: { applicationId, scheduledAt: inHours(72) } }, employer);
    await okOp('WithdrawApplication', { id: applicationId }, seeker);
    const { application: after } = await okOp('Application', { id: applicationId }, employer);
    expect(after.interviews).toEqual([expect.objectContaining({ id: scheduleInterview.id, status: 'CANCELLED' })]);
    const reason = await platform.applications.db.query('SELECT cancellation_reason FROM interviews WHERE id = $1', [scheduleInterview.id]);
    expect(reason.rows[0]!.cancellation_reason).toBe('The application ended: the applicant withdrew it.');
    const events = (await outboxOf(applicationId)).slice(-2);
    expect(events.map((event) => event.type)).toEqual(['applications.application.status_changed.v1', 'applications.interview.cancelled.v1']);
    expect(events[1]!.data).toMatchObject({ interviewId: scheduleInterview.id, status: 'cancelled', actorId: null });
  });
});
