import { upsertReplicaRow, userErasureCompletedSubject, userReplicaMapping, userReplicaTable, type EventEnvelope, type OutboxEvent } from '@jobplatform/events';
import type { Prisma } from './generated/prisma/client.js';
import { lockAccount } from './acting-account.js';
import type { MemberRole } from './companies.js';
import { jobsOutbox, loadJobSnapshots } from './job-events.js';

type Tx = Prisma.TransactionClient;

/** What the erasure did, reported to users in jobs.user_erasure.completed.v1. */
export type UserErasureSummary = {
  removedMemberships: number;
  /** Companies left without an owner whose longest-standing remaining member became owner. */
  promotedOwners: number;
  /** Open jobs the user had posted, now closed (one jobs.job.closed.v1 each). */
  closedJobs: number;
};

/**
 * The closed jobs' snapshots are loaded (and their events written) this many at a time: each slice
 * is a few queries with an IN list of its ids, and a slice's snapshots are all that is held at once.
 */
const JOBS_PER_SLICE = 500;

/**
 * The jobs part of the account-erasure saga, run by the jobs-user-erasure consumer for
 * users.user.deleted.v1 inside the transaction that also records the event as processed:
 * 1. takes the user's account lock exclusively (mutations made as the user hold it shared, see
 *    acting-account.ts) and marks the user erased in the users replica, so nothing more is posted
 *    as them even if the users-replica consumer is behind;
 * 2. removes their company memberships; a company that loses its last owner gets its
 *    longest-standing remaining member as owner, keeping the rule that a company with members has one;
 *    writes jobs.company.member_removed.v1 (reason user_erased) for each membership and
 *    jobs.company.member_updated.v1 for each promotion, both without an actor;
 * 3. closes the open jobs they posted: nobody is left to read their applications. The jobs stay,
 *    under their company, and keep employer_id: it then names the tombstone that users keeps of
 *    an erased account (handle erased~<id>, no profile), so the job page still resolves its
 *    employer, and no person (see docs/data-model.md);
 * 4. writes jobs.job.closed.v1 (reason employer_erased, no actor) for each job it closed, and the
 *    saga's reply jobs.user_erasure.completed.v1.
 * Running it again for the same user (users publishes the event again when a reply is late) finds
 * nothing left and reports zeros; a redelivery of the same event is skipped by processed_events.
 */
export async function eraseUserFromJobs(tx: Tx, event: EventEnvelope<'users.user.deleted.v1'>, options: { traceparent: string; now: Date }): Promise<UserErasureSummary> {
  const userId = BigInt(event.data.userId);
  await lockAccount(tx, userId, 'exclusive');
  const replicaChange = userReplicaMapping['users.user.deleted.v1']!(event);
  if (replicaChange) await upsertReplicaRow(tx, userReplicaTable, { ...replicaChange, version: replicaChange.version ?? Date.parse(event.occurredAt) });

  const { removedMemberships, promotedOwners } = await removeMemberships(tx, userId, options.traceparent);

  // In id order, like every other multi-row lock here, so two erasures never deadlock. A deleted job
  // is never open; saying so keeps the query on the employer index, which holds no deleted jobs.
  const open = await tx.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM jobs WHERE employer_id = ${userId} AND is_active AND deleted_at IS NULL ORDER BY id FOR UPDATE`;
  const ids = open.map((job) => job.id);
  if (ids.length > 0) await tx.job.updateMany({ where: { id: { in: ids } }, data: { isActive: false, updatedAt: options.now } });
  for (let start = 0; start < ids.length; start += JOBS_PER_SLICE) {
    const snapshots = await loadJobSnapshots(tx, ids.slice(start, start + JOBS_PER_SLICE));
    const events = snapshots.map((job): OutboxEvent => ({
      subject: 'jobs.job.closed.v1',
      data: { actorId: null, reason: 'employer_erased', job },
      traceparent: options.traceparent,
    }));
    await jobsOutbox.recordMany(tx, events);
  }

  const summary: UserErasureSummary = { removedMemberships, promotedOwners, closedJobs: ids.length };
  await jobsOutbox.record(
    tx,
    userErasureCompletedSubject('jobs'),
    { userId: event.data.userId, service: 'jobs', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}

async function removeMemberships(tx: Tx, userId: bigint, traceparent: string): Promise<{ removedMemberships: number; promotedOwners: number }> {
  const memberships = await tx.companyMember.findMany({ where: { userId }, select: { companyId: true, role: true }, orderBy: { companyId: 'asc' } });
  if (memberships.length === 0) return { removedMemberships: 0, promotedOwners: 0 };
  // Company rows first, as addMember and removeMember lock them, so the owner check below holds.
  const companyIds = memberships.map((m) => m.companyId);
  await tx.$queryRaw`SELECT id FROM companies WHERE id = ANY(${companyIds}::bigint[]) ORDER BY id FOR UPDATE`;
  const { count } = await tx.companyMember.deleteMany({ where: { userId } });
  const events: OutboxEvent[] = memberships.map(({ companyId, role }) => ({
    subject: 'jobs.company.member_removed.v1',
    data: { companyId: companyId.toString(), userId: userId.toString(), role: role as MemberRole, actorId: null, reason: 'user_erased' },
    traceparent,
  }));

  let promotedOwners = 0;
  for (const { companyId } of memberships.filter((m) => m.role === 'owner')) {
    if ((await tx.companyMember.count({ where: { companyId, role: 'owner' } })) > 0) continue;
    const successor = await tx.companyMember.findFirst({ where: { companyId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true, userId: true, role: true } });
    if (!successor) continue; // no members left: the company stays, and only admins act for it
    await tx.companyMember.update({ where: { id: successor.id }, data: { role: 'owner' } });
    events.push({
      subject: 'jobs.company.member_updated.v1',
      data: { companyId: companyId.toString(), userId: successor.userId.toString(), role: 'owner', previousRole: successor.role as MemberRole, actorId: null },
      traceparent,
    });
    promotedOwners += 1;
  }
  await jobsOutbox.recordMany(tx, events);
  return { removedMemberships: count, promotedOwners };
}
