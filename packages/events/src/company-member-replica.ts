import type { EventHandlers } from './consumer.js';
import type { EventEnvelope } from './envelope.js';
import { queryRows, type SqlClient } from './sql-client.js';

/**
 * The company members replica (company_member_replicas: company_id, user_id, is_member, version)
 * that services which let a company's members act keep from jobs' membership events: applications
 * (who sees a company's applications) and analytics (who sees its jobs' statistics). A removed
 * member keeps a row with is_member false, so that an older event delivered late cannot make them a
 * member again; each row carries the version (occurredAt in epoch ms) of the event it reflects. A
 * role change keeps the membership.
 */
export async function upsertCompanyMembership(tx: SqlClient, change: { companyId: string; userId: string; isMember: boolean; version: number }): Promise<void> {
  await queryRows(
    tx,
    `INSERT INTO company_member_replicas (company_id, user_id, is_member, version)
     VALUES ($1::bigint, $2::bigint, $3, $4::bigint)
     ON CONFLICT (company_id, user_id) DO UPDATE SET is_member = EXCLUDED.is_member, version = EXCLUDED.version
     WHERE company_member_replicas.version <= EXCLUDED.version
     RETURNING company_id`,
    [change.companyId, change.userId, change.isMember, change.version],
  );
}

type MembershipEvent = EventEnvelope<'jobs.company.member_added.v1' | 'jobs.company.member_updated.v1' | 'jobs.company.member_removed.v1'>;

const applyMembership = (isMember: boolean) => async (event: MembershipEvent, tx: SqlClient) =>
  upsertCompanyMembership(tx, { companyId: event.data.companyId, userId: event.data.userId, isMember, version: Date.parse(event.occurredAt) });

/** The consumer handlers that keep company_member_replicas. */
export const companyMemberReplicaHandlers: EventHandlers<SqlClient> = {
  'jobs.company.member_added.v1': applyMembership(true),
  'jobs.company.member_updated.v1': applyMembership(true),
  'jobs.company.member_removed.v1': applyMembership(false),
};
