import { createEnvelope } from '@jobplatform/events';
import { planApplicationNotification } from './application-notifications.js';

const parties = { applicationId: '5', jobId: '7', applicantId: '10', employerId: '20', companyId: '300', companyMemberIds: ['20', '21'] };
const interview = { ...parties, interviewId: '9', interviewType: 'in_person', scheduledAt: '2026-05-11T09:30:00Z', durationMinutes: 45, actorId: '21' } as const;
const change = { ...parties, fromStatus: 'reviewing', toStatus: 'shortlisted', isActive: true, actorKind: 'employer', changedBy: '21', reason: null } as const;

it('tells the employer side of a new application, each member once', () => {
  const event = createEnvelope('applications', 'applications.application.submitted.v1', { ...parties, status: 'pending' });
  expect(planApplicationNotification(event)).toEqual({
    event: 'application_submitted',
    sourceEventId: event.id,
    recipientIds: [20n, 21n],
    jobId: 7n,
    applicantId: 10n,
    values: { application_id: '5', job_id: '7' },
    metadata: { applicationId: '5', jobId: '7' },
  });
});

it('tells the applicant of a status change, and the employer side of a withdrawal', () => {
  const moved = planApplicationNotification(createEnvelope('applications', 'applications.application.status_changed.v1', change));
  expect(moved).toMatchObject({
    event: 'application_status_changed',
    recipientIds: [10n],
    values: { from_status: 'reviewing', to_status: 'shortlisted', reason: '' },
    metadata: { status: 'SHORTLISTED' },
  });
  const closed = planApplicationNotification(
    createEnvelope('applications', 'applications.application.status_changed.v1', {
      ...change,
      toStatus: 'rejected',
      isActive: false,
      actorKind: 'system',
      changedBy: null,
      reason: 'job_closed',
    }),
  );
  expect(closed).toMatchObject({ event: 'application_status_changed', recipientIds: [10n], values: { to_status: 'rejected', reason: 'job_closed' } });
  const withdrawn = planApplicationNotification(
    createEnvelope('applications', 'applications.application.status_changed.v1', { ...change, toStatus: 'withdrawn', isActive: false, actorKind: 'applicant', changedBy: '10' }),
  );
  expect(withdrawn).toMatchObject({ event: 'application_withdrawn', recipientIds: [20n, 21n], applicantId: 10n, values: { from_status: 'reviewing' } });
});

it('tells the applicant of their interviews, but not of one the platform called off', () => {
  const scheduled = planApplicationNotification(createEnvelope('applications', 'applications.interview.scheduled.v1', { ...interview, status: 'scheduled' }));
  expect(scheduled).toMatchObject({
    event: 'interview_scheduled',
    recipientIds: [10n],
    values: { interview_id: '9', interview_type: 'in person', scheduled_at: '2026-05-11T09:30:00.000Z', duration_minutes: 45 },
    metadata: { applicationId: '5', jobId: '7', interviewId: '9' },
  });
  const moved = planApplicationNotification(
    createEnvelope('applications', 'applications.interview.rescheduled.v1', {
      ...interview,
      status: 'rescheduled',
      previousScheduledAt: '2026-05-10T14:00:00+02:00',
      previousDurationMinutes: 30,
    }),
  );
  expect(moved).toMatchObject({ event: 'interview_rescheduled', values: { previous_scheduled_at: '2026-05-10T12:00:00.000Z' } });
  expect(planApplicationNotification(createEnvelope('applications', 'applications.interview.cancelled.v1', { ...interview, status: 'cancelled' }))).toMatchObject({
    event: 'interview_cancelled',
  });
  expect(planApplicationNotification(createEnvelope('applications', 'applications.interview.cancelled.v1', { ...interview, status: 'cancelled', actorId: null }))).toBeNull();
  expect(planApplicationNotification(createEnvelope('applications', 'applications.interview.completed.v1', { ...interview, status: 'completed' }))).toMatchObject({
    event: 'interview_completed',
  });
});
