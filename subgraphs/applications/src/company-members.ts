import type { EventEnvelope, EventHandlers } from '@jobplatform/events';
import type { Tx } from './db.js';

/**
 * The company members replica (company_member_replicas): who acts for a company, and so sees the
 * applications to its jobs, kept from jobs' membership events. A removed member keeps a row with
 * is_member false, so that an older event delivered late cannot make them a member again; each row
 * carries the version (occurredAt in epoch ms) of the event it reflects. A role change keeps the
 * membership: owners and members see the same applications.
 */
export async function upsertMembership(tx: Tx, change: { companyId: bigint; userId: bigint; isMember: boolean; version: bigint }): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO company_member_replicas (company_id, user_id, is_member, version)
    VALUES (${change.companyId}, ${change.userId}, ${change.isMember}, ${change.version})
    ON CONFLICT (company_id, user_id) DO UPDATE SET is_member = EXCLUDED.is_member, version = EXCLUDED.version
    WHERE company_member_replicas.version <= EXCLUDED.version`;
}

type MembershipEvent = EventEnvelope<'jobs.company.member_added.v1' | 'jobs.company.member_updated.v1' | 'jobs.company.member_removed.v1'>;

const applyMembership = (isMember: boolean) => async (event: MembershipEvent, tx: Tx) =>
  upsertMembership(tx, { companyId: BigInt(event.data.companyId), userId: BigInt(event.data.userId), isMember, version: BigInt(Date.parse(event.occurredAt)) });

export const companyMemberHandlers: EventHandlers<Tx> = {
  'jobs.company.member_added.v1': applyMembership(true),
  'jobs.company.member_updated.v1': applyMembership(true),
  'jobs.company.member_removed.v1': applyMembership(false),
};
