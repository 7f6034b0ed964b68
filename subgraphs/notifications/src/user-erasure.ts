import { upsertReplicaRow, userErasureCompletedSubject, userReplicaMapping, userReplicaTable, type EventEnvelope } from '@jobplatform/events';
import type { Tx } from './db.js';
import { notificationsOutbox } from './events.js';
import { erasedRecipientContact, recipientContactTable } from './replicas.js';

/** What the erasure did, reported to users in notifications.user_erasure.completed.v1. */
export type UserErasureSummary = { deletedNotifications: number; deletedPreferences: number; deletedMail: number };

/** Deletes the user's queued and sent mail, when the service has a mail queue; returns how many. */
export type MailEraser = (tx: Tx, userId: bigint) => Promise<number>;

/**
 * The notifications part of the account-erasure saga, run by the notifications-user-erasure
 * consumer for users.user.deleted.v1 inside the transaction that also records the event as processed:
 * 1. marks the user erased in the users replica and drops their address from recipient_contacts,
 *    so nothing more is made for them even if those consumers are behind; the replica row's lock
 *    waits for any notification being made for them right now (notification-delivery.ts), whose
 *    rows the next step then deletes too;
 * 2. deletes their notifications (every channel) and their counts, their preferences and their mail;
 * 3. writes the saga's reply, notifications.user_erasure.completed.v1, to the outbox.
 * Running it again for the same user finds nothing left and reports zeros.
 */
export async function eraseUserFromNotifications(
  tx: Tx,
  event: EventEnvelope<'users.user.deleted.v1'>,
  options: { traceparent: string; now: Date; eraseMail?: MailEraser },
): Promise<UserErasureSummary> {
  const userId = BigInt(event.data.userId);
  const version = Date.parse(event.occurredAt);
  const replicaChange = userReplicaMapping['users.user.deleted.v1']!(event);
  if (replicaChange) await upsertReplicaRow(tx, userReplicaTable, { ...replicaChange, version: replicaChange.version ?? version });
  await upsertReplicaRow(tx, recipientContactTable, { ...erasedRecipientContact(event), version });

  const { count: deletedNotifications } = await tx.notification.deleteMany({ where: { userId } });
  // The delete's trigger left their counts at zero; the rows go too.
  await tx.notificationCount.deleteMany({ where: { userId } });
  const { count: deletedPreferences } = await tx.userNotificationPreference.deleteMany({ where: { userId } });
  const deletedMail = (await options.eraseMail?.(tx, userId)) ?? 0;

  const summary: UserErasureSummary = { deletedNotifications, deletedPreferences, deletedMail };
  await notificationsOutbox.record(
    tx,
    userErasureCompletedSubject('notifications'),
    { userId: event.data.userId, service: 'notifications', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}
