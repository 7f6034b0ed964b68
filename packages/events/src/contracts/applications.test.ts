import { createEnvelope, EventContractError } from '../envelope.js';
import { eventContracts } from './index.js';

const parties = { applicationId: '5', jobId: '7', applicantId: '10', employerId: '20', companyId: '300', companyMemberIds: ['20', '21'] };
const interview = { ...parties, interviewId: '9', interviewType: 'video', scheduledAt: '2026-05-11T09:30:00Z', durationMinutes: 60, actorId: '21' } as const;

it('keeps every event of an application in the order it happened', () => {
  const subjects = Object.keys(eventContracts).filter((subject) => subject.startsWith('applications.') && !subject.includes('user_erasure'));
  expect(subjects.sort()).toEqual([
    'applications.application.status_changed.v1',
    'applications.application.submitted.v1',
    'applications.interview.cancelled.v1',
    'applications.interview.completed.v1',
    'applications.interview.rescheduled.v1',
    'applications.interview.scheduled.v1',
  ]);
  expect(createEnvelope('applications', 'applications.application.submitted.v1', { ...parties, status: 'pending' })).toMatchObject({ aggregateId: '5' });
  expect(createEnvelope('applications', 'applications.interview.scheduled.v1', { ...interview, status: 'scheduled' })).toMatchObject({ aggregateId: '5' });
});

it('carries ids, never contact details or free text', () => {
  const envelope = createEnvelope('applications', 'applications.application.submitted.v1', { ...parties, status: 'pending', email: 'ada@example.com', notes: 'x' } as never);
  expect(envelope.data).toEqual({ ...parties, status: 'pending' });
});

describe('applications.application.status_changed.v1', () => {
  const change = { ...parties, fromStatus: 'reviewing', toStatus: 'shortlisted', isActive: true, actorKind: 'employer', changedBy: '21', reason: null } as const;
  const write = (data: object) => () => createEnvelope('applications', 'applications.application.status_changed.v1', { ...change, ...data } as never);

  it('describes moves by the employer side, withdrawals and the platform’s rejections', () => {
    expect(write({})).not.toThrow();
    expect(write({ toStatus: 'withdrawn', isActive: false, actorKind: 'applicant', changedBy: '10' })).not.toThrow();
    expect(write({ toStatus: 'rejected', isActive: false, actorKind: 'system', changedBy: null, reason: 'job_closed' })).not.toThrow();
  });

  it('refuses inconsistent combinations', () => {
    expect(write({ actorKind: 'system', changedBy: '21', reason: 'job_closed' })).toThrow(EventContractError);
    expect(write({ actorKind: 'system', changedBy: null, reason: null })).toThrow(/reason/);
    expect(write({ changedBy: null })).toThrow(/changedBy/);
    expect(write({ toStatus: 'withdrawn', isActive: false })).toThrow(/actorKind/);
    expect(write({ actorKind: 'applicant', changedBy: '10' })).toThrow(/actorKind/);
    expect(write({ toStatus: 'reviewing' })).toThrow(/toStatus/);
    expect(write({ toStatus: 'archived' })).toThrow(EventContractError);
  });
});

describe('interview events', () => {
  it('name the interview, its time and who acted', () => {
    expect(() =>
      createEnvelope('applications', 'applications.interview.rescheduled.v1', {
        ...interview,
        status: 'rescheduled',
        scheduledAt: '2026-05-12T09:30:00Z',
        previousScheduledAt: '2026-05-11T09:30:00Z',
        previousDurationMinutes: 45,
      }),
    ).not.toThrow();
    expect(() => createEnvelope('applications', 'applications.interview.completed.v1', { ...interview, status: 'completed' })).not.toThrow();
  });

  it('let the platform cancel, and nobody else act anonymously', () => {
    expect(() => createEnvelope('applications', 'applications.interview.cancelled.v1', { ...interview, status: 'cancelled', actorId: null })).not.toThrow();
    expect(() => createEnvelope('applications', 'applications.interview.scheduled.v1', { ...interview, status: 'scheduled', actorId: null } as never)).toThrow(EventContractError);
  });

  it('hold the interview rules: 15 to 480 minutes, a time with a zone, a status matching the subject', () => {
    expect(() => createEnvelope('applications', 'applications.interview.scheduled.v1', { ...interview, status: 'scheduled', durationMinutes: 500 })).toThrow(/durationMinutes/);
    expect(() => createEnvelope('applications', 'applications.interview.scheduled.v1', { ...interview, status: 'scheduled', scheduledAt: '2026-05-11 09:30' })).toThrow(
      /scheduledAt/,
    );
    expect(() => createEnvelope('applications', 'applications.interview.scheduled.v1', { ...interview, status: 'completed' } as never)).toThrow(/status/);
  });
});
