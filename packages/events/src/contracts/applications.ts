import { z } from 'zod';
import { defineEvent, type ServiceName } from './define-event.js';
import { bigintId } from './users.js';

const isoTimestamp = z.iso.datetime({ offset: true });
/** Database values (lower case), as applications stores them. */
const applicationStatus = z.enum(['pending', 'reviewing', 'shortlisted', 'interviewing', 'offered', 'hired', 'rejected', 'withdrawn']);
const interviewType = z.enum(['phone', 'video', 'in_person']);
const interviewStatus = z.enum(['scheduled', 'rescheduled', 'completed', 'cancelled']);

/**
 * Who an application concerns, in every applications event, so that notifications, analytics and
 * the gateway's live subscriptions can pick their audience without asking back. Ids only: no email,
 * no name, and no free text (cover letters, notes, interview locations that may hold a meeting
 * link's passcode). Whoever needs those reads them through the API, with their own rights.
 */
const applicationParties = z.object({
  applicationId: bigintId,
  jobId: bigintId,
  applicantId: bigintId.describe('The job seeker who applied.'),
  employerId: bigintId.describe('The user who posted the job.'),
  companyId: bigintId.describe('The company the job is posted under.'),
  companyMemberIds: z
    .array(bigintId)
    .describe("The company's members when the event was written (the employer side that may see the application), per the applications service's copy."),
});

const interviewFacts = applicationParties.extend({
  interviewId: bigintId,
  interviewType,
  scheduledAt: isoTimestamp.describe('When the interview starts (after a reschedule: the new time).'),
  durationMinutes: z.number().int().min(15).max(480),
  status: interviewStatus,
  actorId: bigintId.describe('The member of the employer side who made the change.'),
});

const byApplication = (data: { applicationId: string }) => data.applicationId;
const consumers = ['notifications', 'analytics'] as const satisfies readonly ServiceName[];

/**
 * A status change, withdrawal and the platform's rejections included. `actorKind` says on whose
 * side it was made; `changedBy` names the person, or is null when the platform made it (`reason`
 * then says why).
 */
const statusChanged = applicationParties
  .extend({
    fromStatus: applicationStatus,
    toStatus: applicationStatus,
    isActive: z.boolean().describe('False once toStatus is final (hired, rejected, withdrawn).'),
    actorKind: z.enum(['applicant', 'employer', 'system']),
    changedBy: bigintId.nullable().describe('The user who made the change; null when the platform did.'),
    reason: z.enum(['job_closed']).nullable().describe("Why the platform made the change; null for a person's change."),
  })
  .refine((data) => (data.actorKind === 'system') === (data.changedBy === null), { path: ['changedBy'], message: 'is null exactly when actorKind is system' })
  .refine((data) => (data.actorKind === 'system') === (data.reason !== null), { path: ['reason'], message: 'is given exactly when actorKind is system' })
  .refine((data) => (data.toStatus === 'withdrawn') === (data.actorKind === 'applicant'), { path: ['actorKind'], message: 'is applicant exactly when toStatus is withdrawn' })
  .refine((data) => data.fromStatus !== data.toStatus, { path: ['toStatus'], message: 'differs from fromStatus' });

/**
 * The events of one application (its status and its interviews) share the application as their
 * aggregate, so that a consumer sees an interview's scheduling and the move to interviewing it
 * caused in the order they happened.
 */
export const applicationsEvents = {
  'applications.application.submitted.v1': defineEvent({
    producer: 'applications',
    consumers,
    aggregate: 'application',
    aggregateIdOf: byApplication,
    summary: 'A job seeker applied to a job; the application is pending.',
    schema: applicationParties.extend({ status: z.literal('pending') }),
  }),
  'applications.application.status_changed.v1': defineEvent({
    producer: 'applications',
    consumers,
    aggregate: 'application',
    aggregateIdOf: byApplication,
    summary:
      "An application's status changed: moved along the pipeline or rejected by the employer side, withdrawn by the applicant, or rejected by the platform because its job closed.",
    schema: statusChanged,
  }),
  'applications.interview.scheduled.v1': defineEvent({
    producer: 'applications',
    consumers,
    aggregate: 'application',
    aggregateIdOf: byApplication,
    summary: 'The employer side scheduled an interview for an application.',
    schema: interviewFacts.extend({ status: z.literal('scheduled') }),
  }),
  'applications.interview.rescheduled.v1': defineEvent({
    producer: 'applications',
    consumers,
    aggregate: 'application',
    aggregateIdOf: byApplication,
    summary: 'The employer side moved an interview to a new time.',
    schema: interviewFacts.extend({
      status: z.literal('rescheduled'),
      previousScheduledAt: isoTimestamp,
      previousDurationMinutes: z.number().int().min(15).max(480),
    }),
  }),
  'applications.interview.cancelled.v1': defineEvent({
    producer: 'applications',
    consumers,
    aggregate: 'application',
    aggregateIdOf: byApplication,
    summary: 'An interview was called off: by the employer side, or by the platform when its application became final (its reason, if any, is read through the API).',
    schema: interviewFacts.extend({
      status: z.literal('cancelled'),
      actorId: bigintId.nullable().describe('The member of the employer side who called it off; null when the platform did because the application became final.'),
    }),
  }),
  'applications.interview.completed.v1': defineEvent({
    producer: 'applications',
    consumers,
    aggregate: 'application',
    aggregateIdOf: byApplication,
    summary: 'The employer side recorded that an interview was held.',
    schema: interviewFacts.extend({ status: z.literal('completed') }),
  }),
};
