import type { UsersDb } from './db.js';
import type { UserEventSink } from './user-events.js';

/**
 * Writes users.user.updated.v1 with the current state of every account that is not being erased,
 * to the outbox, for the services that keep a copy of accounts (their users replicas, applicants'
 * and recipients' contacts) to take in again: after such a copy gains a field (`user_replicas`'
 * names), or when one was lost. The event carries the whole replicated state, and every consumer
 * applies it as the newest word about the account, so accounts nothing changed for change nothing.
 *
 * Accounts go in id order, `batchSize` per transaction and outbox statement. Each batch locks its rows (FOR SHARE)
 * before reading them: a change to an account made meanwhile (a profile edit, the start of an
 * erasure) waits for the batch, so its own event comes after this one and wins. Accounts whose
 * erasure has begun are left out: their copies must stay erased. Returns how many were written.
 */
export async function republishAccounts(db: UsersDb, events: UserEventSink, options: { batchSize?: number; say?: (line: string) => void } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  let after = 0n;
  let written = 0;
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: bigint }[]>`
        SELECT id FROM users WHERE id > ${after} AND deletion_requested_at IS NULL ORDER BY id LIMIT ${batchSize} FOR SHARE`;
      if (locked.length === 0) return 0;
      const accounts = await tx.user.findMany({ where: { id: { in: locked.map((row) => row.id) } }, orderBy: { id: 'asc' } });
      await events.recordMany(
        tx,
        accounts.map((user) => ({ type: 'updated', user }) as const),
      );
      after = locked[locked.length - 1]!.id;
      return accounts.length;
    });
    if (batch === 0) return written;
    written += batch;
    options.say?.(`${written} accounts written`);
  }
}
