import { applicationStatuses } from './application-status.js';
import {
  decideInterviewTransition,
  decideSchedulingEffect,
  interviewColumn,
  interviewStatusFromColumn,
  interviewStatuses,
  interviewTypeFromColumn,
  interviewTypes,
  isOpenInterview,
  validateInterviewText,
  validateRescheduleArguments,
  validateScheduleInterviewInput,
  type InterviewStatus,
} from './interview-rules.js';

const now = new Date('2026-05-10T12:00:00Z');
const tomorrow = '2026-05-11T09:30:00Z';

describe('validateScheduleInterviewInput', () => {
  it('fills in PHONE and 60 minutes, and keeps the rest', () => {
    expect(validateScheduleInterviewInput({ applicationId: '3', scheduledAt: tomorrow }, now)).toEqual({
      ok: true,
      values: { applicationId: 3n, interviewType: 'PHONE', scheduledAt: new Date(tomorrow), durationMinutes: 60, location: null, notes: null },
    });
    expect(
      validateScheduleInterviewInput(
        { applicationId: '3', interviewType: 'IN_PERSON', scheduledAt: new Date(tomorrow), durationMinutes: 90, location: ' 1 Main St ', notes: 'Bring ID' },
        now,
      ),
    ).toMatchObject({ ok: true, values: { interviewType: 'IN_PERSON', durationMinutes: 90, location: '1 Main St', notes: 'Bring ID' } });
  });

  it('takes a start in the future only', () => {
    const at = (scheduledAt: unknown) => validateScheduleInterviewInput({ applicationId: '3', scheduledAt }, now);
    expect(at('2026-05-10T12:00:00Z')).toEqual({ ok: false, fields: [{ field: 'input.scheduledAt', message: 'must be in the future' }] });
    expect(at('2026-05-09T12:00:00+02:00')).toEqual({ ok: false, fields: [{ field: 'input.scheduledAt', message: 'must be in the future' }] });
    expect(at('2026-05-10T12:00:01Z')).toMatchObject({ ok: true });
  });

  it('wants a time zone and a real instant', () => {
    for (const scheduledAt of ['2026-05-11T09:30:00', 'tomorrow', '2026-13-01T00:00:00Z', 12]) {
      expect(validateScheduleInterviewInput({ applicationId: '3', scheduledAt }, now)).toEqual({
        ok: false,
        fields: [{ field: 'input.scheduledAt', message: 'must be a date and time with a time zone, e.g. 2026-05-01T09:30:00Z' }],
      });
    }
  });

  it('lasts 15 to 480 whole minutes', () => {
    const lasting = (durationMinutes: number) => validateScheduleInterviewInput({ applicationId: '3', scheduledAt: tomorrow, durationMinutes }, now);
    expect(lasting(15)).toMatchObject({ ok: true });
    expect(lasting(480)).toMatchObject({ ok: true });
    expect(lasting(14)).toEqual({ ok: false, fields: [{ field: 'input.durationMinutes', message: 'must be at least 15 minutes' }] });
    expect(lasting(481)).toEqual({ ok: false, fields: [{ field: 'input.durationMinutes', message: 'must be at most 480 minutes (8 hours)' }] });
    expect(lasting(30.5)).toEqual({ ok: false, fields: [{ field: 'input.durationMinutes', message: 'must be a whole number of minutes' }] });
  });

  it('bounds the texts and reports every problem at once', () => {
    expect(validateScheduleInterviewInput({ applicationId: 'x', scheduledAt: '2020-01-01T00:00:00Z', location: 'a'.repeat(256), notes: 'b'.repeat(10_001) }, now)).toEqual({
      ok: false,
      fields: [
        { field: 'input.applicationId', message: 'is not a valid application id' },
        { field: 'input.scheduledAt', message: 'must be in the future' },
        { field: 'input.location', message: 'must be at most 255 characters' },
        { field: 'input.notes', message: 'must be at most 10,000 characters' },
      ],
    });
  });
});

describe('validateRescheduleArguments and validateInterviewText', () => {
  it('checks a new start and an optional new length', () => {
    expect(validateRescheduleArguments({ scheduledAt: tomorrow }, now)).toEqual({ ok: true, values: { scheduledAt: new Date(tomorrow), durationMinutes: null } });
    expect(validateRescheduleArguments({ scheduledAt: tomorrow, durationMinutes: 45 }, now)).toMatchObject({ ok: true, values: { durationMinutes: 45 } });
    expect(validateRescheduleArguments({ scheduledAt: '2026-05-01T00:00:00Z', durationMinutes: 500 }, now)).toEqual({
      ok: false,
      fields: [
        { field: 'scheduledAt', message: 'must be in the future' },
        { field: 'durationMinutes', message: 'must be at most 480 minutes (8 hours)' },
      ],
    });
  });

  it('bounds a cancellation reason and completion notes', () => {
    expect(validateInterviewText('reason', '  Position filled ')).toEqual({ ok: true, values: 'Position filled' });
    expect(validateInterviewText('reason', undefined)).toEqual({ ok: true, values: null });
    expect(validateInterviewText('reason', 'x'.repeat(2_001))).toEqual({ ok: false, fields: [{ field: 'reason', message: 'must be at most 2,000 characters' }] });
    expect(validateInterviewText('notes', 'x'.repeat(10_000))).toMatchObject({ ok: true });
  });
});

describe('decideSchedulingEffect', () => {
  it('moves a SHORTLISTED application to INTERVIEWING', () => {
    expect(decideSchedulingEffect('SHORTLISTED')).toEqual({ ok: true, moveTo: 'INTERVIEWING' });
  });

  it('lets the employer side skip to INTERVIEWING from earlier statuses', () => {
    expect(decideSchedulingEffect('PENDING')).toEqual({ ok: true, moveTo: 'INTERVIEWING' });
    expect(decideSchedulingEffect('REVIEWING')).toEqual({ ok: true, moveTo: 'INTERVIEWING' });
  });

  it('leaves INTERVIEWING and OFFERED as they are (never back)', () => {
    expect(decideSchedulingEffect('INTERVIEWING')).toEqual({ ok: true, moveTo: null });
    expect(decideSchedulingEffect('OFFERED')).toEqual({ ok: true, moveTo: null });
  });

  it('refuses a final application', () => {
    for (const status of ['HIRED', 'REJECTED', 'WITHDRAWN'] as const) {
      expect(decideSchedulingEffect(status)).toMatchObject({ ok: false, reason: 'APPLICATION_FINAL', errorCode: 'CONFLICT', message: expect.stringContaining(status) });
    }
  });
});

describe('decideInterviewTransition', () => {
  const past = new Date('2026-05-10T11:00:00Z');
  const future = new Date(tomorrow);
  const open: InterviewStatus[] = ['SCHEDULED', 'RESCHEDULED'];

  it('moves, cancels and completes an interview still to be held', () => {
    for (const status of open) {
      expect(decideInterviewTransition({ status, scheduledAt: future }, 'reschedule', { now, applicationStatus: 'INTERVIEWING' })).toEqual({ ok: true, to: 'RESCHEDULED' });
      expect(decideInterviewTransition({ status, scheduledAt: future }, 'cancel', { now, applicationStatus: 'INTERVIEWING' })).toEqual({ ok: true, to: 'CANCELLED' });
      expect(decideInterviewTransition({ status, scheduledAt: past }, 'complete', { now, applicationStatus: 'INTERVIEWING' })).toEqual({ ok: true, to: 'COMPLETED' });
    }
  });

  it('completes an interview only once it has started', () => {
    expect(decideInterviewTransition({ status: 'SCHEDULED', scheduledAt: future }, 'complete', { now, applicationStatus: 'INTERVIEWING' })).toEqual({
      ok: false,
      reason: 'NOT_STARTED',
      errorCode: 'CONFLICT',
      message: 'The interview starts at 2026-05-11T09:30:00.000Z; it can be completed once it has started.',
    });
    expect(decideInterviewTransition({ status: 'SCHEDULED', scheduledAt: now }, 'complete', { now, applicationStatus: 'INTERVIEWING' })).toMatchObject({ ok: true });
  });

  it('changes nothing once COMPLETED or CANCELLED', () => {
    for (const status of ['COMPLETED', 'CANCELLED'] as const) {
      for (const action of ['reschedule', 'cancel', 'complete'] as const) {
        expect(decideInterviewTransition({ status, scheduledAt: past }, action, { now, applicationStatus: 'INTERVIEWING' })).toMatchObject({
          ok: false,
          reason: 'INTERVIEW_CLOSED',
          message: expect.stringContaining(status),
        });
      }
    }
  });

  it('does not move an interview of a final application, but still cancels or completes it', () => {
    for (const applicationStatus of ['HIRED', 'REJECTED', 'WITHDRAWN'] as const) {
      expect(decideInterviewTransition({ status: 'SCHEDULED', scheduledAt: future }, 'reschedule', { now, applicationStatus })).toMatchObject({
        ok: false,
        reason: 'APPLICATION_FINAL',
      });
      expect(decideInterviewTransition({ status: 'SCHEDULED', scheduledAt: future }, 'cancel', { now, applicationStatus })).toMatchObject({ ok: true });
      expect(decideInterviewTransition({ status: 'SCHEDULED', scheduledAt: past }, 'complete', { now, applicationStatus })).toMatchObject({ ok: true });
    }
  });

  it('treats every non-final application alike', () => {
    for (const applicationStatus of applicationStatuses.filter((s) => !['HIRED', 'REJECTED', 'WITHDRAWN'].includes(s))) {
      expect(decideInterviewTransition({ status: 'SCHEDULED', scheduledAt: future }, 'reschedule', { now, applicationStatus })).toMatchObject({ ok: true });
    }
  });
});

describe('stored values', () => {
  it('round-trip in the seed’s lower case', () => {
    for (const type of interviewTypes) expect(interviewTypeFromColumn(interviewColumn(type))).toBe(type);
    for (const status of interviewStatuses) expect(interviewStatusFromColumn(interviewColumn(status))).toBe(status);
    expect(interviewColumn('IN_PERSON')).toBe('in_person');
    expect(() => interviewStatusFromColumn('postponed')).toThrow(/unknown interview status/);
    expect(() => interviewTypeFromColumn('carrier_pigeon')).toThrow(/unknown interview type/);
  });

  it('counts SCHEDULED and RESCHEDULED as still to be held', () => {
    expect(interviewStatuses.filter(isOpenInterview)).toEqual(['SCHEDULED', 'RESCHEDULED']);
  });
});
