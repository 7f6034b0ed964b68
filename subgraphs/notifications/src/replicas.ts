import { jobReplicaTableOf, type EventEnvelope, type ReplicaChange, type ReplicaTable } from '@jobplatform/events';

/**
 * The copies of other services' data that notifications keeps from their events, each by a durable
 * consumer of its own (notifications-<name>): where users' email goes (recipient_contacts), and the
 * job titles and company names a notification shows (job_replicas, company_replicas). The users
 * replica (usernames, who is active or erased) is the shared userReplicaTable.
 */

type UserStateEvent = EventEnvelope<'users.user.registered.v1' | 'users.user.updated.v1'>;

export const recipientContactChange = (event: UserStateEvent): ReplicaChange => ({
  key: event.data.userId,
  values: { email: event.data.email, is_verified: event.data.isVerified },
});

/** An erased account keeps a row without an address, so that an older event delivered late cannot bring it back. */
export const erasedRecipientContact = (event: EventEnvelope<'users.user.deleted.v1'>): ReplicaChange => ({
  key: event.data.userId,
  values: { email: '', is_verified: false },
});

export const recipientContactTable: ReplicaTable = {
  table: 'recipient_contacts',
  keyColumn: 'user_id',
  versionColumn: 'version',
  map: {
    'users.user.registered.v1': recipientContactChange,
    'users.user.updated.v1': recipientContactChange,
    'users.user.deleted.v1': erasedRecipientContact,
  },
};

/** A deleted job keeps its row: notifications about its applications still name it. */
export const jobReplicaTable = jobReplicaTableOf((event) => ({ key: event.data.job.id, values: { company_id: event.data.job.companyId, title: event.data.job.title } }));
