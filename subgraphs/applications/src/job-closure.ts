import { upsertReplicaRow, type EventEnvelope, type OutboxEvent } from '@jobplatform/events';
import { applicationsOutbox, loadJobParties, partiesOf, type StatusChangeHook } from './application-events.js';
import { statusColumn, statusFromColumn } from './application-status.js';
import type { ApplicationRow, Tx } from './db.js';
import { jobReplicaChange, jobReplicaTable } from './replicas.js';

/** The history note of an application rejected because its job closed; the applicant reads it. */
export const JOB_CLOSED_NOTE = 'The job was closed, so this application will not be considered further.';

/** Applications are rejected in slices of this many, so that one statement stays well below PostgreSQL's parameter limit. */
const ROWS_PER_STATEMENT = 500;

export type JobClosureSummary = { rejectedApplications: number };

/**
 * Applications' part of closing a job (jobs.job.closed.v1, and jobs.job.deleted.v1, since a deleted
 * job is closed too), run by the applications-job-closure consumer: every application of the job
 * that is not final becomes REJECTED, with a history entry by the platform (changed_by null, the
 * note JOB_CLOSED_NOTE) and a status_changed event each (actor system, reason job_closed), so that
 * applicants hear of it.
 *
 * The handler first applies the event to the jobs replica itself and locks the job's row: applying
 * holds that row FOR SHARE, so an application either commits before this (and is rejected here) or
 * sees the job closed. An older closed event delivered after the job was opened again finds the
 * replica open and rejects nothing.
 */
export async function rejectApplicationsOfClosedJob(
  tx: Tx,
  event: EventEnvelope<'jobs.job.closed.v1' | 'jobs.job.deleted.v1'>,
  options: { now: Date; traceparent: string; hooks?: readonly StatusChangeHook[] },
): Promise<JobClosureSummary> {
  const jobId = BigInt(event.data.job.id);
  const change = jobReplicaChange(event);
  await upsertReplicaRow(tx, jobReplicaTable, { ...change, version: change.version ?? Date.parse(event.occurredAt) });
  const [job] = await tx.$queryRaw<{ is_active: boolean }[]>`SELECT is_active FROM job_replicas WHERE id = ${jobId} FOR UPDATE`;
  if (!job || job.is_active) return { rejectedApplications: 0 };

  // In id order, like every other multi-row lock here, so that concurrent writers never deadlock.
  const open = await tx.$queryRaw<{ id: bigint; status: string }[]>`
    SELECT id, status FROM applications WHERE job_id = ${jobId} AND is_active ORDER BY id FOR UPDATE`;
  if (open.length === 0) return { rejectedApplications: 0 };
  const fromStatus = new Map(open.map((row) => [row.id, statusFromColumn(row.status)]));
  const parties = await loadJobParties(tx, jobId);
  const rejected: ApplicationRow[] = [];
  // In slices, so that no statement comes near PostgreSQL's parameter limit for a job with many applications.
  for (let start = 0; start < open.length; start += ROWS_PER_STATEMENT) {
    const ids = open.slice(start, start + ROWS_PER_STATEMENT).map((row) => row.id);
    await tx.application.updateMany({ where: { id: { in: ids } }, data: { status: 'rejected', isActive: false, updatedAt: options.now } });
    await tx.applicationStatusHistory.createMany({
      data: ids.map((applicationId) => ({ applicationId, status: 'rejected', notes: JOB_CLOSED_NOTE, changedBy: null, actorKind: 'system', createdAt: options.now })),
    });
    const slice = await tx.application.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    const events = slice.map((application): OutboxEvent => ({
      subject: 'applications.application.status_changed.v1',
      data: {
        ...partiesOf(application, parties),
        fromStatus: statusColumn(fromStatus.get(application.id)!),
        toStatus: 'rejected',
        isActive: false,
        actorKind: 'system',
        changedBy: null,
        reason: 'job_closed',
      },
      traceparent: options.traceparent,
    }));
    await applicationsOutbox.recordMany(tx, events);
    rejected.push(...slice);
  }
  for (const application of rejected) {
    for (const hook of options.hooks ?? []) {
      await hook(
        tx,
        application,
        { from: fromStatus.get(application.id)!, to: 'REJECTED', actorKind: 'system', changedBy: null, notes: JOB_CLOSED_NOTE, reason: 'job_closed' },
        options,
      );
    }
  }
  return { rejectedApplications: rejected.length };
}
