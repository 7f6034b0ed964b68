import {
  jobReplicaTableOf,
  queryRows,
  type BatchEventHandler,
  type BatchItem,
  type JobStateEvent,
  type ReplicaChange,
  type ReplicaValue,
  type SqlClient,
} from '@jobplatform/events';
import type { PartitionKeeper } from './partitions.js';
import type { RawEvent } from './rollups.js';

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

/** The platform events analytics records, each as one raw event. */
export const platformEventSubjects = [
  'users.user.registered.v1',
  'jobs.job.created.v1',
  'jobs.job.closed.v1',
  'applications.application.submitted.v1',
  'applications.application.status_changed.v1',
  'search.search.performed.v1',
] as const;
type PlatformEventItem = BatchItem<(typeof platformEventSubjects)[number]>;

/** Days from submission to the hire, to two places. */
const daysBetween = (submittedAt: Date, hiredAt: Date) => Math.max(0, Math.round(((hiredAt.getTime() - submittedAt.getTime()) / DAY_MS) * 100) / 100);

/**
 * The raw event an event becomes. Person ids go in user_id only, so that erasure finds them there;
 * search.search.performed.v1 carries no user. A hire carries the days since the application's
 * recorded submission, when analytics has it (`submittedAt`).
 */
function factOf({ event }: PlatformEventItem, submittedAt: Map<string, Date>): PlatformFact {
  switch (event.type) {
    case 'users.user.registered.v1':
      return { eventType: 'user_registered', userId: event.data.userId, properties: { userType: event.data.userType }, timestamp: new Date(event.data.dateJoined) };
    case 'jobs.job.created.v1':
      return {
        eventType: 'job_created',
        userId: event.data.job.employerId,
        properties: { jobId: event.data.job.id, companyId: event.data.job.companyId },
        timestamp: new Date(event.occurredAt),
      };
    case 'jobs.job.closed.v1':
      return {
        eventType: 'job_closed',
        userId: null,
        properties: { jobId: event.data.job.id, companyId: event.data.job.companyId, reason: event.data.reason },
        timestamp: new Date(event.occurredAt),
      };
    case 'applications.application.submitted.v1':
      return {
        eventType: 'application_submitted',
        userId: event.data.applicantId,
        properties: { applicationId: event.data.applicationId, jobId: event.data.jobId, companyId: event.data.companyId },
        timestamp: new Date(event.occurredAt),
      };
    case 'applications.application.status_changed.v1': {
      const changedAt = new Date(event.occurredAt);
      const submitted = event.data.toStatus === 'hired' ? submittedAt.get(event.data.applicationId) : undefined;
      return {
        eventType: 'application_status_changed',
        userId: event.data.applicantId,
        properties: {
          applicationId: event.data.applicationId,
          jobId: event.data.jobId,
          fromStatus: event.data.fromStatus,
          toStatus: event.data.toStatus,
          ...(submitted ? { daysToHire: daysBetween(submitted, changedAt) } : {}),
        },
        timestamp: changedAt,
      };
    }
    case 'search.search.performed.v1':
      return {
        eventType: 'search_performed',
        userId: null,
        properties: { kind: event.data.kind, query: event.data.query, resultCount: event.data.resultCount },
        timestamp: new Date(event.data.searchedAt),
      };
  }
}

/**
 * Platform events become raw events and rollups in the consumer's transaction, which also records
 * each event as processed: each counts once however often it is delivered. A batch's events go
 * together, in at most five statements whatever their number: the submissions' application facts,
 * the hires' submission instants (after those facts, so a hire in the same batch as its submission
 * finds it), the partitions (when a month is new to the process), and the raw events with their
 * rollups.
 */
export function platformEventBatchHandler(partitions: PartitionKeeper): BatchEventHandler<(typeof platformEventSubjects)[number], SqlClient> {
  return {
    subjects: platformEventSubjects,
    async handle(items, tx) {
      const submissions = items.flatMap(({ event }) => (event.type === 'applications.application.submitted.v1' ? [event] : []));
      if (submissions.length > 0) {
        await queryRows(
          tx,
          `INSERT INTO application_facts (application_id, job_id, submitted_at)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[])
           ON CONFLICT (application_id) DO NOTHING`,
          [submissions.map((event) => event.data.applicationId), submissions.map((event) => event.data.jobId), submissions.map((event) => event.occurredAt)],
        );
      }
      const hired = items.flatMap(({ event }) =>
        event.type === 'applications.application.status_changed.v1' && event.data.toStatus === 'hired' ? [event.data.applicationId] : [],
      );
      const submittedAt = new Map<string, Date>();
      if (hired.length > 0) {
        const rows = await queryRows<{ application_id: string | bigint; submitted_at: Date }>(
          tx,
          'SELECT application_id, submitted_at FROM application_facts WHERE application_id = ANY($1::bigint[])',
          [hired],
        );
        for (const row of rows) submittedAt.set(String(row.application_id), new Date(row.submitted_at));
      }
      await partitions.insertEvents(
        tx,
        items.map((item) => ({ ...factOf(item, submittedAt), sessionId: null, clientTimestamp: null })),
      );
    },
  };
}
