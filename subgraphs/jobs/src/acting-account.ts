import { AppError, invalidField } from '@jobplatform/service-runtime';
import { isRole, type Viewer } from '@jobplatform/auth';
import type { Prisma } from './generated/prisma/client.js';

type Tx = Prisma.TransactionClient;

/**
 * A transaction-level advisory lock per user. Every mutation made as a user holds it shared; the
 * account-erasure consumer holds it exclusively while it removes the user from jobs_db. So a write
 * that started before the erasure commits before the erasure looks for the user's rows (and is
 * erased with them), and a write that starts after it sees the user as erased.
 */
export async function lockAccount(tx: Tx, userId: bigint, mode: 'shared' | 'exclusive'): Promise<void> {
  if (mode === 'shared') await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtext('jobs.account'), ${userId % 2_147_483_647n}::int)`;
  else await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('jobs.account'), ${userId % 2_147_483_647n}::int)`;
}

type ReplicaAccount = { userType: string | null; isActive: boolean; deletedAt: Date | null };

/** The user as the users replica last heard of them; undefined when it does not know them yet. */
async function replicaAccount(tx: Tx, userId: bigint): Promise<ReplicaAccount | undefined> {
  const row = await tx.userReplica.findUnique({ where: { id: userId }, select: { userType: true, isActive: true, deletedAt: true } });
  return row ?? undefined;
}

const mayAct = (account: ReplicaAccount) => account.deletedAt === null && account.isActive;

/**
 * The viewer a mutation acts as, checked against the users replica (user_replicas, kept by the
 * jobs-users-replica consumer). The access token says who the caller was when it was issued, up to
 * 15 minutes ago; the replica says what users has reported since:
 * - an account that was deactivated, or whose erasure has begun, is refused (FORBIDDEN);
 * - an account whose type changed acts with its new type, not the token's role.
 * A user the replica does not know yet (registered moments ago, or the consumer is behind) acts on
 * the token's role: replication lag must not lock a new employer out, and the token was valid when
 * issued. The replica then gets a provisional row from the token (its handle, its role, active, no
 * names) at version 0, which users' first event about the account replaces: a job it posts shows
 * its employer's handle at once (Job.employer provides it from the replica). Call it first in the
 * transaction: account locks come before company and job locks.
 */
export async function actingViewer(tx: Tx, viewer: Viewer): Promise<Viewer> {
  const userId = BigInt(viewer.userId);
  // The lock first, the read in a statement of its own: it then sees what a concurrent erasure committed.
  await lockAccount(tx, userId, 'shared');
  const account = await replicaAccount(tx, userId);
  if (!account) {
    if (viewer.username !== undefined)
      await tx.$executeRaw`
        INSERT INTO user_replicas (id, username, user_type, is_active, version) VALUES (${userId}, ${viewer.username}, ${viewer.role}, true, 0)
        ON CONFLICT (id) DO NOTHING`;
    return viewer;
  }
  if (!mayAct(account)) throw new AppError('FORBIDDEN', 'This account is deactivated or being deleted');
  return isRole(account.userType) ? { ...viewer, role: account.userType } : viewer;
}

/**
 * Refuses to make a deactivated or erased account a company member; a user the replica does not
 * know yet is accepted, as in actingViewer. The caller holds the user's account lock (shared),
 * taken before the company's row lock.
 */
export async function assertMayJoin(tx: Tx, userId: bigint, field: string): Promise<void> {
  const account = await replicaAccount(tx, userId);
  if (account && !mayAct(account)) throw invalidField(field, 'is a deactivated or deleted account');
}
