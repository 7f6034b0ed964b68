import type { Viewer } from '@jobplatform/auth';
import { AppError, parseId } from '@jobplatform/service-runtime';
import type { NotificationRow, NotificationsDb } from './db.js';
import type { Channel } from './notification-events.js';
import { toNotificationPage, type NotificationPage } from './notification-pages.js';

/** What a page of the inbox keeps: unread in-app rows only, one channel, or everything. */
export type InboxFilter = { unreadOnly: boolean; channel: Channel | null };

/** An unread notification: in the inbox (in_app) and not read yet. The partial index of the migration covers exactly these. */
const unread = { notificationType: 'in_app', status: 'sent' } as const;

const notFound = () => new AppError('NOT_FOUND', 'No such notification of yours');

/**
 * A user's inbox: their notifications, newest first, and marking them read. Every operation is the
 * signed-in user's own; a notification of someone else's is NOT_FOUND, exactly as one that does
 * not exist, so ids cannot be probed.
 */
export function createInbox({ db, now }: { db: NotificationsDb; now: () => Date }) {
  const whereOf = (userId: bigint, filter: InboxFilter) => ({
    userId,
    ...(filter.channel ? { notificationType: filter.channel } : {}),
    ...(filter.unreadOnly ? { AND: [unread] } : {}),
  });

  return {
    async page(userId: bigint, filter: InboxFilter, size: number, after: bigint | undefined): Promise<NotificationPage> {
      const where = whereOf(userId, filter);
      const rows = await db.notification.findMany({ where: { ...where, ...(after !== undefined ? { id: { lt: after } } : {}) }, orderBy: { id: 'desc' }, take: size + 1 });
      // Both counts come from the user's notification_counts rows (one per channel), read once and
      // only if the client asks for a count.
      let counts: Promise<{ notificationType: string; total: number; unread: number }[]> | undefined;
      const countsOf = () => (counts ??= db.notificationCount.findMany({ where: { userId }, select: { notificationType: true, total: true, unread: true } }));
      const unreadOf = async () => (await countsOf()).find((row) => row.notificationType === unread.notificationType)?.unread ?? 0;
      return toNotificationPage(rows, size, {
        totalCount: async () => {
          if (filter.unreadOnly) return filter.channel === null || filter.channel === unread.notificationType ? unreadOf() : 0;
          return (await countsOf()).filter((row) => filter.channel === null || row.notificationType === filter.channel).reduce((sum, row) => sum + row.total, 0);
        },
        unreadCount: unreadOf,
      });
    },

    /** In-app rows become read once (a second call keeps the first readAt); other channels are returned as they are. */
    async markRead(viewer: Viewer, id: string): Promise<NotificationRow> {
      const notificationId = parseId(id);
      if (notificationId === undefined) throw notFound();
      const userId = BigInt(viewer.userId);
      await db.notification.updateMany({ where: { id: notificationId, userId, ...unread }, data: { status: 'read', readAt: now() } });
      const row = await db.notification.findFirst({ where: { id: notificationId, userId } });
      if (!row) throw notFound();
      return row;
    },

    async markAllRead(viewer: Viewer): Promise<number> {
      const { count } = await db.notification.updateMany({ where: { userId: BigInt(viewer.userId), ...unread }, data: { status: 'read', readAt: now() } });
      return count;
    },
  };
}

export type Inbox = ReturnType<typeof createInbox>;

/** Whether the viewer is the user `userId`: notifications are their recipient's alone, not even admins'. */
export const isRecipient = (viewer: Viewer | undefined, userId: bigint | string): boolean => viewer !== undefined && viewer.userId === userId.toString();
