import type { Viewer } from '@jobplatform/auth';
import { AppError, invalidInput, rethrowPrismaError, requireId, toCalendarDate, type FieldProblem } from '@jobplatform/service-runtime';
import { alreadyAppliedMessage, characterCount, checkApplicantMayApply, parseId, validateApplyInput, type ApplicantAccount } from './application-input.js';
import { applicationsOutbox, loadJobParties, partiesOf, recordStatusChange, type StatusChangeHook } from './application-events.js';
import { decideStatusTransition, statusFromColumn, type ApplicationStatus } from './application-status.js';
import { loadViewerStanding } from './context.js';
import type { ApplicationRow, ApplicationsDb, JobReplicaRow, Tx } from './db.js';
import { authorizeApplicationAction, type ApplicationAction } from './visibility.js';

export type ApplicationServiceDeps = {
  db: ApplicationsDb;
  now: () => Date;
  /** Run in the transaction of every status change, after it is written (see StatusChangeHook). */
  statusChangeHooks?: StatusChangeHook[];
};

export const MAX_STATUS_NOTES_CHARACTERS = 10_000;

const applicationNotFound = () => new AppError('NOT_FOUND', 'There is no application with that id.');

/**
 * A transaction-level advisory lock per user. Every mutation made as a user holds it shared; the
 * account-erasure consumer holds it exclusively while it removes the user from applications_db. So
 * a write that started before the erasure commits before the erasure looks for the user's rows (and
 * is erased with them), and one that starts after it sees the user as erased.
 */
export async function lockAccount(tx: Tx, userId: bigint, mode: 'shared' | 'exclusive'): Promise<void> {
  if (mode === 'shared') await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtext('applications.account'), ${userId % 2_147_483_647n}::int)`;
  else await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('applications.account'), ${userId % 2_147_483_647n}::int)`;
}

/** The account as the users replica knows it, undefined when it does not know it yet. */
async function replicaAccount(tx: Tx, userId: bigint): Promise<(ApplicantAccount & { deletedAt: Date | null }) | undefined> {
  const row = await tx.userReplica.findUnique({ where: { id: userId }, select: { userType: true, isActive: true, deletedAt: true } });
  if (!row) return undefined;
  const userType = row.userType === 'job_seeker' || row.userType === 'employer' || row.userType === 'admin' ? row.userType : null;
  return { userType, isActive: row.isActive && row.deletedAt === null, deletedAt: row.deletedAt };
}

/**
 * Takes the user's account lock (shared) and refuses an account that users reported deactivated or
 * being erased. An account the replica does not know yet acts on its token: replication lag must not
 * lock out someone who just registered.
 */
export async function assertAccountMayAct(tx: Tx, viewer: Viewer): Promise<void> {
  await lockAccount(tx, BigInt(viewer.userId), 'shared');
  const account = await replicaAccount(tx, BigInt(viewer.userId));
  if (account && !account.isActive) throw new AppError('FORBIDDEN', 'This account is deactivated or being deleted.');
}

/** Validates the optional notes of a status change. */
function validateNotes(notes: string | null | undefined): string | null {
  if (notes === null || notes === undefined) return null;
  const trimmed = notes.trim();
  if (characterCount(trimmed) > MAX_STATUS_NOTES_CHARACTERS)
    throw invalidInput([{ field: 'notes', message: `must be at most ${MAX_STATUS_NOTES_CHARACTERS.toLocaleString('en-US')} characters` }]);
  return trimmed === '' ? null : trimmed;
}

async function lockJobForShare(tx: Tx, jobId: bigint): Promise<JobReplicaRow | null> {
  await tx.$executeRaw`SELECT 1 FROM job_replicas WHERE id = ${jobId} FOR SHARE`;
  return tx.jobReplica.findUnique({ where: { id: jobId } });
}

const toOpening = (job: JobReplicaRow | null) =>
  job ? { isActive: job.isActive, applicationDeadline: job.applicationDeadline ? toCalendarDate(job.applicationDeadline) : null, deletedAt: job.deletedAt } : null;

/**
 * Loads and locks an application, and decides `action` for the viewer against the jobs and company
 * members replicas: NOT_FOUND for anyone who may not see it, FORBIDDEN for one who sees it but may
 * not do this. Attachments and interviews lock their application through it too.
 */
export async function lockApplicationForAction(tx: Tx, viewer: Viewer, id: string, action: ApplicationAction) {
  const applicationId = requireId(id, 'id');
  const locked = await tx.$queryRaw<{ id: bigint }[]>`SELECT id FROM applications WHERE id = ${applicationId} FOR UPDATE`;
  if (locked.length === 0) throw applicationNotFound();
  const application = await tx.application.findUniqueOrThrow({ where: { id: applicationId } });
  const job = await tx.jobReplica.findUniqueOrThrow({ where: { id: application.jobId } });
  const standing = await loadViewerStanding(tx, viewer);
  const decision = authorizeApplicationAction(
    standing,
    { applicantId: application.applicantId.toString(), employerId: job.employerId.toString(), companyId: job.companyId.toString() },
    action,
  );
  if (!decision.ok) throw new AppError(decision.errorCode, decision.message);
  return { application, job, relation: decision.relation };
}

/** The rules of applying and of the hiring pipeline, over applications_db. Resolvers call these. */
export function createApplicationService(deps: ApplicationServiceDeps) {
  const { db, now } = deps;
  const hooks = deps.statusChangeHooks ?? [];

  async function changeStatus(viewer: Viewer, id: string, to: ApplicationStatus, action: 'withdraw' | 'change_status', notes: string | null): Promise<ApplicationRow> {
    return db.$transaction(async (tx) => {
      await assertAccountMayAct(tx, viewer);
      const { application } = await lockApplicationForAction(tx, viewer, id, action);
      const actor = action === 'withdraw' ? 'applicant' : 'employer';
      const decision = decideStatusTransition(statusFromColumn(application.status), to, actor);
      if (!decision.ok) throw new AppError(decision.errorCode, decision.message);
      return recordStatusChange(
        tx,
        application,
        { from: decision.from, to: decision.to, actorKind: actor, changedBy: BigInt(viewer.userId), notes, reason: null },
        { now: now(), hooks },
      );
    });
  }

  return {
    /**
     * Applies to a job as `viewer`: an active job seeker (per the users replica), to an open job
     * (per the jobs replica) whose deadline has not passed, once per job. The application, its
     * first history entry (PENDING) and applications.application.submitted.v1 commit together.
     */
    async apply(viewer: Viewer, input: unknown): Promise<ApplicationRow> {
      return db.$transaction(async (tx) => {
        const applicantId = BigInt(viewer.userId);
        await lockAccount(tx, applicantId, 'shared');
        const refusal = checkApplicantMayApply(await replicaAccount(tx, applicantId));
        if (refusal) throw new AppError(refusal.errorCode, refusal.message);

        const rawJobId = typeof input === 'object' && input !== null ? (input as { jobId?: unknown }).jobId : undefined;
        const jobId = parseId(rawJobId);
        // FOR SHARE: the job-closed consumer locks the row to close it, so an application either
        // commits before the closing (and is rejected with the others) or sees the job closed.
        const job = jobId === undefined ? null : await lockJobForShare(tx, jobId);
        const validated = validateApplyInput(input, { now: now(), job: toOpening(job) });
        if (!validated.ok) throw invalidInput(validated.fields);
        const { values } = validated;

        const at = now();
        const application = await tx.application
          .create({
            data: {
              jobId: values.jobId,
              applicantId,
              employerId: job!.employerId,
              status: 'pending',
              coverLetter: values.coverLetter,
              expectedSalary: values.expectedSalary,
              availabilityDate: values.availabilityDate ? new Date(`${values.availabilityDate}T00:00:00Z`) : null,
              createdAt: at,
              updatedAt: at,
            },
          })
          .catch((error) => rethrowPrismaError(error, { conflict: alreadyAppliedMessage }));
        await tx.applicationStatusHistory.create({
          data: { applicationId: application.id, status: 'pending', changedBy: applicantId, actorKind: 'applicant', createdAt: at },
        });
        await applicationsOutbox.record(tx, 'applications.application.submitted.v1', { ...partiesOf(application, await loadJobParties(tx, application.jobId)), status: 'pending' });
        return application;
      });
    },

    /** Withdraws the viewer's own application; the applicant only, until it is final. */
    withdraw(viewer: Viewer, id: string): Promise<ApplicationRow> {
      return changeStatus(viewer, id, 'WITHDRAWN', 'withdraw', null);
    },

    /**
     * Moves an application along the pipeline, for the job's employer and the members of its
     * company: forward only, REJECTED from any status that is not final. `notes` go into the history.
     */
    updateStatus(viewer: Viewer, id: string, status: ApplicationStatus, notes: string | null | undefined): Promise<ApplicationRow> {
      const problems: FieldProblem[] = [];
      let checkedNotes: string | null = null;
      try {
        checkedNotes = validateNotes(notes);
      } catch (error) {
        if (error instanceof AppError && error.details.fields) problems.push(...error.details.fields);
        else throw error;
      }
      if (parseId(id) === undefined) problems.unshift({ field: 'id', message: 'is not a valid id' });
      if (problems.length > 0) return Promise.reject(invalidInput(problems));
      return changeStatus(viewer, id, status, 'change_status', checkedNotes);
    },
  };
}

export type ApplicationService = ReturnType<typeof createApplicationService>;
