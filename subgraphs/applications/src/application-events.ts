import { createOutbox } from '@jobplatform/events';
import type { ApplicationRow, Tx } from './db.js';
import { statusColumn, type ApplicationStatus } from './application-status.js';

/**
 * applications_db's outbox: each change writes its event here in the same transaction; the relay
 * publishes them (APPLICATIONS).
 */
export const applicationsOutbox = createOutbox({ source: 'applications' });

/** Who an application concerns, as every applications event carries it (ids only). */
export type ApplicationParties = {
  applicationId: string;
  jobId: string;
  applicantId: string;
  employerId: string;
  companyId: string;
  companyMemberIds: string[];
};

/**
 * The parties of applications of one job: the company from the jobs replica, its members from the
 * company members replica as they are now.
 */
export async function loadJobParties(tx: Tx, jobId: bigint): Promise<{ companyId: string; companyMemberIds: string[] }> {
  const job = await tx.jobReplica.findUniqueOrThrow({ where: { id: jobId }, select: { companyId: true } });
  const members = await tx.companyMemberReplica.findMany({ where: { companyId: job.companyId, isMember: true }, select: { userId: true }, orderBy: { userId: 'asc' } });
  return { companyId: job.companyId.toString(), companyMemberIds: members.map((member) => member.userId.toString()) };
}

export function partiesOf(application: ApplicationRow, job: { companyId: string; companyMemberIds: string[] }): ApplicationParties {
  return {
    applicationId: application.id.toString(),
    jobId: application.jobId.toString(),
    applicantId: application.applicantId.toString(),
    employerId: application.employerId.toString(),
    companyId: job.companyId,
    companyMemberIds: job.companyMemberIds,
  };
}

/** One status change of an application, as decided by decideStatusTransition (or the job closing). */
export type StatusChange = {
  from: ApplicationStatus;
  to: ApplicationStatus;
  actorKind: 'applicant' | 'employer' | 'system';
  /** The user who made it; null when the platform did. */
  changedBy: bigint | null;
  notes: string | null;
  /** Why the platform made it; null for a person's change. */
  reason: 'job_closed' | null;
};

/**
 * Something else that must happen in the same transaction when an application's status changes
 * (for example interviews still to be held being called off once the application is final).
 */
export type StatusChangeHook = (tx: Tx, application: ApplicationRow, change: StatusChange, options: { now: Date; traceparent?: string }) => Promise<void>;

/**
 * Writes a status change: the application row (locked by the caller), its history entry and its
 * status_changed event, all through `tx`. The caller has decided the change with
 * decideStatusTransition. Returns the updated row.
 */
export async function recordStatusChange(
  tx: Tx,
  application: ApplicationRow,
  change: StatusChange,
  options: { now: Date; traceparent?: string; hooks?: readonly StatusChangeHook[]; parties?: { companyId: string; companyMemberIds: string[] } },
): Promise<ApplicationRow> {
  const isActive = !['HIRED', 'REJECTED', 'WITHDRAWN'].includes(change.to);
  const updated = await tx.application.update({
    where: { id: application.id },
    data: { status: statusColumn(change.to), isActive, updatedAt: options.now },
  });
  await tx.applicationStatusHistory.create({
    data: { applicationId: application.id, status: statusColumn(change.to), notes: change.notes, changedBy: change.changedBy, actorKind: change.actorKind, createdAt: options.now },
  });
  const parties = options.parties ?? (await loadJobParties(tx, application.jobId));
  await applicationsOutbox.record(
    tx,
    'applications.application.status_changed.v1',
    {
      ...partiesOf(updated, parties),
      fromStatus: statusColumn(change.from),
      toStatus: statusColumn(change.to),
      isActive,
      actorKind: change.actorKind,
      changedBy: change.changedBy?.toString() ?? null,
      reason: change.reason,
    },
    options.traceparent ? { traceparent: options.traceparent } : {},
  );
  for (const hook of options.hooks ?? []) await hook(tx, updated, change, options);
  return updated;
}
