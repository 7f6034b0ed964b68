import { userErasureCompletedSubject, type EventEnvelope } from '@jobplatform/events';
import type { Prisma } from './generated/prisma/client.js';
import { searchOutbox } from './events.js';

/** What the erasure did, reported to users in search.user_erasure.completed.v1. */
export type UserErasureSummary = { deletedItems: number };

/**
 * The search part of the account-erasure saga, run by the search-user-erasure consumer for
 * users.user.deleted.v1 inside the transaction that also records the event as processed: deletes
 * what search holds about the user, then writes the saga's reply. Running it again for the same
 * user (users publishes the event again when a reply is late) finds nothing left and reports zeros.
 */
export async function eraseUserFromSearch(
  tx: Prisma.TransactionClient,
  event: EventEnvelope<'users.user.deleted.v1'>,
  options: { traceparent: string; now: Date },
): Promise<UserErasureSummary> {
  const { count } = await tx.searchItem.deleteMany({ where: { ownerId: BigInt(event.data.userId) } });
  const summary: UserErasureSummary = { deletedItems: count };
  await searchOutbox.record(
    tx,
    userErasureCompletedSubject('search'),
    { userId: event.data.userId, service: 'search', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}
