import { jobReplicaTableOf, type EventEnvelope, type JobStateEvent, type ReplicaChange, type ReplicaTable } from '@jobplatform/events';

/**
 * The copies of other services' data that applications keeps from their events, each by a durable
 * consumer of its own (applications-<name>): jobs (job_replicas), companies' names
 * (company_replicas) and job seekers' contact details (applicant_contacts). The users replica is the
 * shared userReplicaTable.
 */

/**
 * What applying and seeing applications need of a job, and what an application shows of it (title,
 * location, company name); a deleted job stays, marked, so its applications keep it.
 */
export function jobReplicaChange(event: JobStateEvent): ReplicaChange {
  const { job } = event.data;
  return {
    key: job.id,
    values: {
      company_id: job.companyId,
      employer_id: job.employerId,
      title: job.title,
      location: job.location,
      company_name: job.companyName,
      is_active: job.isActive,
      application_deadline: job.applicationDeadline,
      ...(event.type === 'jobs.job.deleted.v1' ? { is_active: false, deleted_at: event.occurredAt } : {}),
    },
  };
}

export const jobReplicaTable = jobReplicaTableOf(jobReplicaChange);

type UserStateEvent = EventEnvelope<'users.user.registered.v1' | 'users.user.updated.v1'>;

/** firstName and lastName, once users carries them in its user events. */
function namesOf(data: UserStateEvent['data']): Record<string, string | null> {
  const names: Record<string, string | null> = {};
  const carried = data as { firstName?: string | null; lastName?: string | null };
  if (carried.firstName !== undefined) names.first_name = carried.firstName;
  if (carried.lastName !== undefined) names.last_name = carried.lastName;
  return names;
}

/**
 * Job seekers' email and names, shown to the employer side of their applications. Only job
 * seekers are kept, since only they apply. An erased account keeps a row without any of its data,
 * so that an older event delivered late cannot bring the data back.
 */
export function applicantContactChange(event: UserStateEvent): ReplicaChange | null {
  if (event.data.userType !== 'job_seeker') return null;
  return { key: event.data.userId, values: { email: event.data.email, ...namesOf(event.data) } };
}

export const erasedApplicantContact = (event: EventEnvelope<'users.user.deleted.v1'>): ReplicaChange => ({
  key: event.data.userId,
  values: { email: '', first_name: null, last_name: null },
});

export const applicantContactTable: ReplicaTable = {
  table: 'applicant_contacts',
  keyColumn: 'user_id',
  versionColumn: 'version',
  map: {
    'users.user.registered.v1': applicantContactChange,
    'users.user.updated.v1': applicantContactChange,
    'users.user.deleted.v1': erasedApplicantContact,
  },
};
