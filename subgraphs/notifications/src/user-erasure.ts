import { userErasureCompletedSubject, type EventEnvelope } from '@jobplatform/events';
import type { Prisma } from './generated/prisma/client.js';
import { notificationsOutbox } from './events.js';

/** What the erasure did, reported to users in notifications.user_erasure.completed.v1. */
export type UserErasureSummary = { deletedItems: number };

/**
 * The notifications part of the account-erasure saga, run by the notifications-user-erasure consumer for
 * users.user.deleted.v1 inside the transaction that also records the event as processed: deletes
 * what notifications holds about the user, then writes the saga's reply. Running it again for the same
 * user (users publishes the event again when a reply is late) finds nothing left and reports zeros.
 */
export async function eraseUserFromNotifications(
  tx: Prisma.TransactionClient,
  event: EventEnvelope<'users.user.deleted.v1'>,
  options: { traceparent: string; now: Date },
): Promise<UserErasureSummary> {
  const { count } = await tx.notificationsItem.deleteMany({ where: { ownerId: BigInt(event.data.userId) } });
  const summary: UserErasureSummary = { deletedItems: count };
  await notificationsOutbox.record(
    tx,
    userErasureCompletedSubject('notifications'),
    { userId: event.data.userId, service: 'notifications', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}
