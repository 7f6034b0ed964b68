import { jobReplicaTableOf, queryRows, type EventHandlers, type JobStateEvent, type ReplicaChange, type ReplicaValue, type SqlClient } from '@jobplatform/events';
import type { PartitionKeeper } from './partitions.js';
import { insertEventsWithRollups, type RawEvent } from './rollups.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What statistics need of a job: whose it is, and when it was open. */
function jobReplicaChange(event: JobStateEvent): ReplicaChange {
  const { job } = event.data;
  const values: Record<string, ReplicaValue> = { company_id: job.companyId, employer_id: job.employerId, is_active: job.isActive, posted_at: job.createdAt };
  if (event.type === 'jobs.job.closed.v1') values.closed_at = event.occurredAt;
  if (event.type === 'jobs.job.deleted.v1') Object.assign(values, { is_active: false, deleted_at: event.occurredAt });
  return { key: job.id, values };
}

export const jobReplicaTable = jobReplicaTableOf(jobReplicaChange);

/** A fact another service reported, as a raw event of analytics (lower-case type). */
type PlatformFact = Omit<RawEvent, 'sessionId' | 'clientTimestamp'>;

async function recordFact(tx: SqlClient, partitions: PartitionKeeper, fact: PlatformFact): Promise<void> {
  await partitions.ensureFor(tx, [fact.timestamp]);
  await insertEventsWithRollups(tx, [{ ...fact, sessionId: null, clientTimestamp: null }]);
}

/** Days from submission to the hire, to two places, from the application's recorded submission. */
async function daysToHire(tx: SqlClient, applicationId: string, hiredAt: Date): Promise<number | undefined> {
  const [fact] = await queryRows<{ submitted_at: Date }>(tx, 'SELECT submitted_at FROM application_facts WHERE application_id = $1::bigint', [applicationId]);
  if (!fact) return undefined;
  return Math.max(0, Math.round(((hiredAt.getTime() - new Date(fact.submitted_at).getTime()) / DAY_MS) * 100) / 100);
}

/**
 * Platform events become raw events and rollups in the consumer's transaction, which also records
 * the event as processed: each counts once however often it is delivered. Person ids go in user_id
 * only, so that erasure finds them there. search.search.performed.v1 carries no user.
 */
export function platformEventHandlers(partitions: PartitionKeeper): EventHandlers<SqlClient> {
  return {
    'users.user.registered.v1': (event, tx) =>
      recordFact(tx, partitions, {
        eventType: 'user_registered',
        userId: event.data.userId,
        properties: { userType: event.data.userType },
        timestamp: new Date(event.data.dateJoined),
      }),
    'jobs.job.created.v1': (event, tx) =>
      recordFact(tx, partitions, {
        eventType: 'job_created',
        userId: event.data.job.employerId,
        properties: { jobId: event.data.job.id, companyId: event.data.job.companyId },
        timestamp: new Date(event.occurredAt),
      }),
    'jobs.job.closed.v1': (event, tx) =>
      recordFact(tx, partitions, {
        eventType: 'job_closed',
        userId: null,
        properties: { jobId: event.data.job.id, companyId: event.data.job.companyId, reason: event.data.reason },
        timestamp: new Date(event.occurredAt),
      }),
    'applications.application.submitted.v1': async (event, tx) => {
      const submittedAt = new Date(event.occurredAt);
      await queryRows(
        tx,
        `INSERT INTO application_facts (application_id, job_id, submitted_at) VALUES ($1::bigint, $2::bigint, $3::timestamptz)
         ON CONFLICT (application_id) DO NOTHING RETURNING application_id`,
        [event.data.applicationId, event.data.jobId, submittedAt.toISOString()],
      );
      await recordFact(tx, partitions, {
        eventType: 'application_submitted',
        userId: event.data.applicantId,
        properties: { applicationId: event.data.applicationId, jobId: event.data.jobId, companyId: event.data.companyId },
        timestamp: submittedAt,
      });
    },
    'applications.application.status_changed.v1': async (event, tx) => {
      const changedAt = new Date(event.occurredAt);
      const days = event.data.toStatus === 'hired' ? await daysToHire(tx, event.data.applicationId, changedAt) : undefined;
      await recordFact(tx, partitions, {
        eventType: 'application_status_changed',
        userId: event.data.applicantId,
        properties: {
          applicationId: event.data.applicationId,
          jobId: event.data.jobId,
          fromStatus: event.data.fromStatus,
          toStatus: event.data.toStatus,
          ...(days !== undefined ? { daysToHire: days } : {}),
        },
        timestamp: changedAt,
      });
    },
    'search.search.performed.v1': (event, tx) =>
      recordFact(tx, partitions, {
        eventType: 'search_performed',
        userId: null,
        properties: { kind: event.data.kind, query: event.data.query, resultCount: event.data.resultCount },
        timestamp: new Date(event.data.searchedAt),
      }),
  };
}
