import { z } from 'zod';
import type { FieldProblem } from '@jobplatform/service-runtime';
import { decideStatusTransition, isFinalStatus, pipelineStatuses, type ApplicationStatus } from './application-status.js';
import { characterCount, parseId } from './application-input.js';

/** Rules for interviews: when one may be scheduled, moved, called off or completed, and what it may hold. */

export const interviewTypes = ['PHONE', 'VIDEO', 'IN_PERSON'] as const;
export type InterviewType = (typeof interviewTypes)[number];

export const interviewStatuses = ['SCHEDULED', 'RESCHEDULED', 'COMPLETED', 'CANCELLED'] as const;
export type InterviewStatus = (typeof interviewStatuses)[number];

export const MIN_INTERVIEW_MINUTES = 15;
export const MAX_INTERVIEW_MINUTES = 480;
export const DEFAULT_INTERVIEW_MINUTES = 60;
export const MAX_LOCATION_CHARACTERS = 255;
export const MAX_INTERVIEW_NOTES_CHARACTERS = 10_000;
export const MAX_CANCELLATION_REASON_CHARACTERS = 2_000;

export type InterviewAction = 'reschedule' | 'cancel' | 'complete';

export type InterviewRefusal = {
  ok: false;
  reason: 'INTERVIEW_CLOSED' | 'APPLICATION_FINAL' | 'NOT_STARTED';
  errorCode: 'CONFLICT';
  message: string;
};

/** Whether an interview is still to be held: it may be moved, called off or completed. */
export function isOpenInterview(status: InterviewStatus): boolean {
  return status === 'SCHEDULED' || status === 'RESCHEDULED';
}

/** A DateTime argument, given as an ISO 8601 string with a zone or as a Date made by the DateTime scalar. */
const instantSchema = z.preprocess(
  (value) => (typeof value === 'string' && /(Z|[+-]\d{2}:\d{2})$/i.test(value) ? new Date(value) : value),
  z.date({ error: 'must be a date and time with a time zone, e.g. 2026-05-01T09:30:00Z' }).refine((date) => !Number.isNaN(date.getTime()), {
    error: 'must be a date and time with a time zone, e.g. 2026-05-01T09:30:00Z',
    abort: true,
  }),
);

const futureInstant = (now: Date) => instantSchema.refine((date) => date.getTime() > now.getTime(), 'must be in the future');

const durationSchema = z
  .number({ error: 'must be a whole number of minutes' })
  .int('must be a whole number of minutes')
  .min(MIN_INTERVIEW_MINUTES, `must be at least ${MIN_INTERVIEW_MINUTES} minutes`)
  .max(MAX_INTERVIEW_MINUTES, `must be at most ${MAX_INTERVIEW_MINUTES} minutes (8 hours)`);

/** Optional text of at most `max` characters (code points); blank becomes null. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .refine((text) => characterCount(text) <= max, `must be at most ${max.toLocaleString('en-US')} characters`)
    .transform((text) => (text === '' ? null : text))
    .nullish();

const scheduleInputSchema = (now: Date) =>
  z.object({
    applicationId: z
      .string({ error: 'must be an application id' })
      .refine((id) => parseId(id) !== undefined, 'is not a valid application id')
      .transform((id) => parseId(id)!),
    interviewType: z.enum(interviewTypes).nullish(),
    scheduledAt: futureInstant(now),
    durationMinutes: durationSchema.nullish(),
    location: optionalText(MAX_LOCATION_CHARACTERS),
    notes: optionalText(MAX_INTERVIEW_NOTES_CHARACTERS),
  });

export type InterviewValues = {
  applicationId: bigint;
  interviewType: InterviewType;
  scheduledAt: Date;
  durationMinutes: number;
  location: string | null;
  notes: string | null;
};

type Validation<T> = { ok: true; values: T } | { ok: false; fields: FieldProblem[] };

function problemsOf(error: z.ZodError, prefix: string[]): FieldProblem[] {
  return error.issues.map((issue) => ({ field: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message }));
}

/** Validates `ScheduleInterviewInput`: a start in the future, 15 to 480 minutes, bounded texts. Defaults: PHONE, 60 minutes. */
export function validateScheduleInterviewInput(input: unknown, now: Date): Validation<InterviewValues> {
  const parsed = scheduleInputSchema(now).safeParse(input);
  if (!parsed.success) return { ok: false, fields: problemsOf(parsed.error, ['input']) };
  const { applicationId, interviewType, scheduledAt, durationMinutes, location, notes } = parsed.data;
  return {
    ok: true,
    values: {
      applicationId,
      interviewType: interviewType ?? 'PHONE',
      scheduledAt,
      durationMinutes: durationMinutes ?? DEFAULT_INTERVIEW_MINUTES,
      location: location ?? null,
      notes: notes ?? null,
    },
  };
}

/** Validates the arguments of `rescheduleInterview`: a new start in the future and, optionally, a new length. */
export function validateRescheduleArguments(
  args: { scheduledAt: unknown; durationMinutes?: unknown },
  now: Date,
): Validation<{ scheduledAt: Date; durationMinutes: number | null }> {
  const parsed = z.object({ scheduledAt: futureInstant(now), durationMinutes: durationSchema.nullish() }).safeParse(args);
  if (!parsed.success) return { ok: false, fields: problemsOf(parsed.error, []) };
  return { ok: true, values: { scheduledAt: parsed.data.scheduledAt, durationMinutes: parsed.data.durationMinutes ?? null } };
}

/** Validates the `reason` of `cancelInterview` (optional) and the `notes` of `completeInterview` (optional). */
export function validateInterviewText(field: 'reason' | 'notes', value: unknown): Validation<string | null> {
  const max = field === 'reason' ? MAX_CANCELLATION_REASON_CHARACTERS : MAX_INTERVIEW_NOTES_CHARACTERS;
  const parsed = optionalText(max).safeParse(value);
  if (!parsed.success) return { ok: false, fields: problemsOf(parsed.error, [field]) };
  return { ok: true, values: parsed.data ?? null };
}

const earlierThanInterviewing = (status: ApplicationStatus) => (pipelineStatuses as readonly ApplicationStatus[]).indexOf(status) < pipelineStatuses.indexOf('INTERVIEWING');

/**
 * What scheduling an interview does to its application. An application that is not final may get
 * an interview; one not yet INTERVIEWING (typically SHORTLISTED; the employer side may skip steps)
 * moves to INTERVIEWING, with a history entry by the employer side. INTERVIEWING and OFFERED stay.
 */
export function decideSchedulingEffect(
  applicationStatus: ApplicationStatus,
): { ok: true; moveTo: 'INTERVIEWING' | null } | { ok: false; reason: 'APPLICATION_FINAL'; errorCode: 'CONFLICT'; message: string } {
  if (isFinalStatus(applicationStatus)) {
    return {
      ok: false,
      reason: 'APPLICATION_FINAL',
      errorCode: 'CONFLICT',
      message: `The application is ${applicationStatus}, which is final: no interview can be scheduled for it.`,
    };
  }
  if (!earlierThanInterviewing(applicationStatus)) return { ok: true, moveTo: null };
  const move = decideStatusTransition(applicationStatus, 'INTERVIEWING', 'employer');
  // Cannot fail for a non-final status before INTERVIEWING; kept as a guard should the pipeline change.
  if (!move.ok) throw new Error(`pipeline does not allow ${applicationStatus} -> INTERVIEWING: ${move.message}`);
  return { ok: true, moveTo: 'INTERVIEWING' };
}

/**
 * Decides what an action does to an interview: reschedule (SCHEDULED or RESCHEDULED -> RESCHEDULED),
 * cancel (-> CANCELLED) or complete (-> COMPLETED). COMPLETED and CANCELLED are final. An interview
 * is completed only once it has started, and moved only while its application is not final (one
 * whose application ended can still be called off or recorded as held).
 */
export function decideInterviewTransition(
  current: { status: InterviewStatus; scheduledAt: Date },
  action: InterviewAction,
  context: { now: Date; applicationStatus: ApplicationStatus },
): { ok: true; to: InterviewStatus } | InterviewRefusal {
  if (!isOpenInterview(current.status)) {
    const verb = { reschedule: 'moved', cancel: 'cancelled', complete: 'completed' }[action];
    return { ok: false, reason: 'INTERVIEW_CLOSED', errorCode: 'CONFLICT', message: `The interview is already ${current.status} and can no longer be ${verb}.` };
  }
  switch (action) {
    case 'reschedule':
      if (isFinalStatus(context.applicationStatus)) {
        return {
          ok: false,
          reason: 'APPLICATION_FINAL',
          errorCode: 'CONFLICT',
          message: `The application is ${context.applicationStatus}, which is final: its interview can be cancelled but not moved.`,
        };
      }
      return { ok: true, to: 'RESCHEDULED' };
    case 'cancel':
      return { ok: true, to: 'CANCELLED' };
    case 'complete':
      if (current.scheduledAt.getTime() > context.now.getTime()) {
        return {
          ok: false,
          reason: 'NOT_STARTED',
          errorCode: 'CONFLICT',
          message: `The interview starts at ${current.scheduledAt.toISOString()}; it can be completed once it has started.`,
        };
      }
      return { ok: true, to: 'COMPLETED' };
  }
}

/** The value stored in interviews.interview_type and interviews.status. */
export function interviewColumn<T extends InterviewType | InterviewStatus>(value: T): Lowercase<T> {
  return value.toLowerCase() as Lowercase<T>;
}

/** Reads a stored interview type; throws on a value the CHECK constraint should have kept out. */
export function interviewTypeFromColumn(value: string): InterviewType {
  const type = value.toUpperCase();
  if (!(interviewTypes as readonly string[]).includes(type)) throw new Error(`unknown interview type in the database: ${JSON.stringify(value)}`);
  return type as InterviewType;
}

/** Reads a stored interview status; throws on a value the CHECK constraint should have kept out. */
export function interviewStatusFromColumn(value: string): InterviewStatus {
  const status = value.toUpperCase();
  if (!(interviewStatuses as readonly string[]).includes(status)) throw new Error(`unknown interview status in the database: ${JSON.stringify(value)}`);
  return status as InterviewStatus;
}
