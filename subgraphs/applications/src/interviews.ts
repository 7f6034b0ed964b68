import type { Viewer } from '@jobplatform/auth';
import { AppError, invalidInput, parseId, type FieldProblem } from '@jobplatform/service-runtime';
import { applicationsOutbox, loadJobParties, partiesOf, recordStatusChange, type ApplicationParties, type StatusChangeHook } from './application-events.js';
import { isFinalStatus, statusFromColumn } from './application-status.js';
import { assertAccountMayAct, lockApplicationForAction } from './applications.js';
import type { ApplicationRow, ApplicationsDb, InterviewRow, Tx } from './db.js';
import {
  decideInterviewTransition,
  decideSchedulingEffect,
  interviewColumn,
  interviewStatusFromColumn,
  interviewTypeFromColumn,
  validateInterviewText,
  validateRescheduleArguments,
  validateScheduleInterviewInput,
  type InterviewAction,
} from './interview-rules.js';
import type { LeanReads } from './lean-reads.js';
import { perRequestListLoader } from './per-request-loaders.js';

/**
 * Interviews: scheduled, moved, called off and completed by the job's employer side
 * (visibility.ts: manage_interviews). Each change locks the interview's application first, so that
 * changes to one application and its interviews are applied one at a time, and writes its
 * applications.interview.*.v1 event in its transaction. Scheduling moves an application not yet
 * INTERVIEWING there (decideSchedulingEffect) with a history entry and status_changed event, in the
 * same transaction. When an application becomes final, its interviews still to be held are called
 * off by the platform (statusChangeHook).
 */

export type InterviewServiceDeps = { db: ApplicationsDb; reads: LeanReads; now: () => Date; statusChangeHooks: readonly StatusChangeHook[] };

/** The cancellation reason of interviews the platform called off, by the application's final status. */
export const applicationEndedReasons = {
  HIRED: 'The application ended: the applicant was hired.',
  REJECTED: 'The application ended: it was rejected.',
  WITHDRAWN: 'The application ended: the applicant withdrew it.',
} as const;

const interviewNotFound = () => new AppError('NOT_FOUND', 'There is no interview with that id.');

type InterviewSubject =
  'applications.interview.scheduled.v1' | 'applications.interview.rescheduled.v1' | 'applications.interview.cancelled.v1' | 'applications.interview.completed.v1';

/** What every interview event says of the interview, after the change. */
function interviewFacts(parties: ApplicationParties, interview: InterviewRow, actorId: string | null) {
  return {
    ...parties,
    interviewId: interview.id.toString(),
    interviewType: interviewColumn(interviewTypeFromColumn(interview.interviewType)),
    scheduledAt: interview.scheduledAt.toISOString(),
    durationMinutes: interview.durationMinutes,
    actorId,
  };
}

async function recordInterviewEvent(tx: Tx, subject: InterviewSubject, parties: ApplicationParties, interview: InterviewRow, actorId: string | null, extra: object = {}) {
  const status = interviewColumn(interviewStatusFromColumn(interview.status));
  // Each subject's contract pins its status and actor; the data is built from the row just written.
  await applicationsOutbox.record(tx, subject, { ...interviewFacts(parties, interview, actorId), status, ...extra } as never);
}

/** Validates an interview id with the other arguments, so that every problem is named at once. */
function validateArguments<T>(id: string, validated: { ok: true; values: T } | { ok: false; fields: FieldProblem[] }): { interviewId: bigint; values: T } {
  const interviewId = parseId(id);
  const problems: FieldProblem[] = interviewId === undefined ? [{ field: 'id', message: 'is not a valid id' }] : [];
  if (!validated.ok) problems.push(...validated.fields);
  if (interviewId === undefined || !validated.ok) throw invalidInput(problems);
  return { interviewId, values: validated.values };
}

export function createInterviewService(deps: InterviewServiceDeps) {
  const { db, reads, now } = deps;

  /**
   * Loads an interview and locks its application for the viewer's `manage_interviews`: NOT_FOUND
   * for anyone who may not see the application (so interview ids cannot be probed either).
   */
  async function lockInterview(tx: Tx, viewer: Viewer, id: bigint): Promise<{ interview: InterviewRow; application: ApplicationRow }> {
    const found = await tx.interview.findUnique({ where: { id }, select: { applicationId: true } });
    if (!found) throw interviewNotFound();
    const { application } = await lockApplicationForAction(tx, viewer, found.applicationId.toString(), 'manage_interviews').catch((error: unknown) => {
      throw error instanceof AppError && error.code === 'NOT_FOUND' ? interviewNotFound() : error;
    });
    const interview = await tx.interview.findUnique({ where: { id } });
    if (!interview) throw interviewNotFound();
    return { interview, application };
  }

  /** Applies `action` to an interview as decided by decideInterviewTransition, with its event. */
  async function change(
    viewer: Viewer,
    id: bigint,
    action: InterviewAction,
    apply: (interview: InterviewRow) => { data: Partial<InterviewRow>; subject: InterviewSubject; extra?: object },
  ) {
    return db.$transaction(async (tx) => {
      await assertAccountMayAct(tx, viewer);
      const { interview, application } = await lockInterview(tx, viewer, id);
      const at = now();
      const decision = decideInterviewTransition({ status: interviewStatusFromColumn(interview.status), scheduledAt: interview.scheduledAt }, action, {
        now: at,
        applicationStatus: statusFromColumn(application.status),
      });
      if (!decision.ok) throw new AppError(decision.errorCode, decision.message);
      const { data, subject, extra } = apply(interview);
      const updated = await tx.interview.update({ where: { id }, data: { ...data, status: interviewColumn(decision.to), updatedAt: at } });
      const parties = partiesOf(application, await loadJobParties(tx, application.jobId));
      await recordInterviewEvent(tx, subject, parties, updated, viewer.userId, extra);
      return updated;
    });
  }

  /**
   * Run in the transaction of every status change: once an application is final, its interviews
   * still to be held are called off by the platform, each with its cancelled event (actor null).
   */
  const cancelInterviewsOfEndedApplication: StatusChangeHook = async (tx, application, statusChange, options) => {
    if (!isFinalStatus(statusChange.to)) return;
    const reason = applicationEndedReasons[statusChange.to as keyof typeof applicationEndedReasons];
    const cancelled = await tx.$queryRaw<{ id: bigint }[]>`
      UPDATE interviews SET status = 'cancelled', cancellation_reason = ${reason}, updated_at = ${options.now}
       WHERE application_id = ${application.id} AND status IN ('scheduled', 'rescheduled')
      RETURNING id`;
    if (cancelled.length === 0) return;
    const interviews = await tx.interview.findMany({ where: { id: { in: cancelled.map((row) => row.id) } }, orderBy: { id: 'asc' } });
    const parties = partiesOf(application, await loadJobParties(tx, application.jobId));
    await applicationsOutbox.recordMany(
      tx,
      interviews.map((interview) => ({
        subject: 'applications.interview.cancelled.v1' as const,
        data: { ...interviewFacts(parties, interview, null), status: 'cancelled' as const },
        ...(options.traceparent ? { traceparent: options.traceparent } : {}),
      })),
    );
  };

  const loaderFor = perRequestListLoader(
    (applicationIds) => reads.interviewsOf(applicationIds),
    (row) => row.applicationId,
  );

  return {
    statusChangeHook: cancelInterviewsOfEndedApplication,

    /**
     * Schedules an interview for an application that is not final; one not yet INTERVIEWING moves
     * there. The interview, its scheduled event and the status change commit together.
     */
    async schedule(viewer: Viewer, input: unknown): Promise<InterviewRow> {
      const validated = validateScheduleInterviewInput(input, now());
      if (!validated.ok) throw invalidInput(validated.fields);
      const { values } = validated;
      return db.$transaction(async (tx) => {
        await assertAccountMayAct(tx, viewer);
        const { application } = await lockApplicationForAction(tx, viewer, values.applicationId.toString(), 'manage_interviews');
        const effect = decideSchedulingEffect(statusFromColumn(application.status));
        if (!effect.ok) throw new AppError(effect.errorCode, effect.message);
        const at = now();
        const interview = await tx.interview.create({
          data: {
            applicationId: application.id,
            interviewType: interviewColumn(values.interviewType),
            scheduledAt: values.scheduledAt,
            durationMinutes: values.durationMinutes,
            location: values.location,
            notes: values.notes,
            status: 'scheduled',
            createdAt: at,
            updatedAt: at,
          },
        });
        const jobParties = await loadJobParties(tx, application.jobId);
        // The scheduling first, then the move it causes: consumers see them in that order.
        await recordInterviewEvent(tx, 'applications.interview.scheduled.v1', partiesOf(application, jobParties), interview, viewer.userId);
        if (effect.moveTo) {
          await recordStatusChange(
            tx,
            application,
            { from: statusFromColumn(application.status), to: effect.moveTo, actorKind: 'employer', changedBy: BigInt(viewer.userId), notes: null, reason: null },
            { now: at, hooks: deps.statusChangeHooks, parties: jobParties },
          );
        }
        return interview;
      });
    },

    /** Moves an interview still to be held to a new time in the future, optionally with a new length. */
    async reschedule(viewer: Viewer, id: string, scheduledAt: unknown, durationMinutes: number | null | undefined): Promise<InterviewRow> {
      const { interviewId, values } = validateArguments(id, validateRescheduleArguments({ scheduledAt, durationMinutes }, now()));
      return change(viewer, interviewId, 'reschedule', (interview) => ({
        data: { scheduledAt: values.scheduledAt, durationMinutes: values.durationMinutes ?? interview.durationMinutes },
        subject: 'applications.interview.rescheduled.v1',
        extra: { previousScheduledAt: interview.scheduledAt.toISOString(), previousDurationMinutes: interview.durationMinutes },
      }));
    },

    /** Calls off an interview still to be held, with an optional reason for the applicant. */
    async cancel(viewer: Viewer, id: string, reason: string | null | undefined): Promise<InterviewRow> {
      const { interviewId, values: cancellationReason } = validateArguments(id, validateInterviewText('reason', reason));
      return change(viewer, interviewId, 'cancel', () => ({ data: { cancellationReason }, subject: 'applications.interview.cancelled.v1' }));
    },

    /** Records that an interview was held (once it has started); `notes` replace the scheduling notes when given. */
    async complete(viewer: Viewer, id: string, notes: string | null | undefined): Promise<InterviewRow> {
      const { interviewId, values: completionNotes } = validateArguments(id, validateInterviewText('notes', notes));
      return change(viewer, interviewId, 'complete', (interview) => ({ data: { notes: completionNotes ?? interview.notes }, subject: 'applications.interview.completed.v1' }));
    },

    /** The interviews of applications by scheduled time, batched per request (`requestKey`: the request's `loaders`). */
    loaderFor,
  };
}

export type InterviewService = ReturnType<typeof createInterviewService>;
