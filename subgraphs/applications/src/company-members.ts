import type { EventEnvelope } from '@jobplatform/events';
import type { Tx } from './db.js';

/**
 * The company members replica (company_member_replicas): who acts for a company, and so sees the
 * applications to its jobs. A removed member keeps a row with is_member false, so that an older
 * event delivered late cannot make them a member again; each row carries the version (occurredAt in
 * epoch ms) of the event it reflects.
 */
export async function upsertMembership(tx: Tx, change: { companyId: bigint; userId: bigint; isMember: boolean; version: bigint }): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO company_member_replicas (company_id, user_id, is_member, version)
    VALUES (${change.companyId}, ${change.userId}, ${change.isMember}, ${change.version})
    ON CONFLICT (company_id, user_id) DO UPDATE SET is_member = EXCLUDED.is_member, version = EXCLUDED.version
    WHERE company_member_replicas.version <= EXCLUDED.version`;
}

/**
 * Whoever posts a job is a member of its company at that moment (jobs checks it), unless an admin
 * posted it: the poster is recorded as a member when the replica knows nothing of them in that
 * company yet. A later removal (a newer version) wins as usual.
 */
export async function recordPosterMembership(tx: Tx, event: EventEnvelope<'jobs.job.created.v1'>): Promise<void> {
  const { job, actorId } = event.data;
  if (actorId !== job.employerId) return;
  const poster = await tx.userReplica.findUnique({ where: { id: BigInt(job.employerId) }, select: { userType: true } });
  if (poster?.userType === 'admin') return;
  await tx.$executeRaw`
    INSERT INTO company_member_replicas (company_id, user_id, is_member, version)
    VALUES (${BigInt(job.companyId)}, ${BigInt(job.employerId)}, true, ${BigInt(Date.parse(event.occurredAt))})
    ON CONFLICT (company_id, user_id) DO NOTHING`;
}
