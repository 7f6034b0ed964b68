import type { Viewer } from '@jobplatform/auth';
import { AppError, emptyStatement, parseId, SqlFragment, statement, type LeanSql } from '@jobplatform/service-runtime';
import type { NotificationRow, NotificationsDb } from './db.js';
import type { Channel } from './notification-events.js';
import { toNotificationPage, type NotificationPage } from './notification-pages.js';

/** What a page of the inbox keeps: unread in-app rows only, one channel, or everything. */
export type InboxFilter = { unreadOnly: boolean; channel: Channel | null };

/** An unread notification: in the inbox (in_app) and not read yet. The partial index of the migration covers exactly these. */
const unread = { notificationType: 'in_app', status: 'sent' } as const;

const notFound = () => new AppError('NOT_FOUND', 'No such notification of yours');

/** What a client selected of a page beyond its rows: `counts` when totalCount or unreadCount. */
export type PageReads = { counts: boolean };

type PageCounts = { total: number; unread: number };

/** A row of the page statement: the counts (null when not read), and a notification (all null when the page is empty). */
type PageStatementRow = { total: number | null; unread: number | null } & { [K in keyof NotificationRow]: NotificationRow[K] | null };

/**
 * The user's counts as one row, c(total, unread): the notifications of the filter's channel (every
 * channel when none), and the unread in-app ones, from their notification_counts rows (one per channel).
 */
const countsOf = (userId: bigint, filter: InboxFilter) => statement`(
  SELECT coalesce(sum(total) ${filter.channel ? statement`FILTER (WHERE notification_type = ${filter.channel}::varchar)` : emptyStatement}, 0)::int AS total,
    coalesce(sum(unread) FILTER (WHERE notification_type = 'in_app'), 0)::int AS unread
  FROM notification_counts WHERE user_id = ${userId}::bigint) AS c`;

/** A notification row (table alias n) as Prisma's model returns it: NotificationRow. */
export const notificationColumns = new SqlFragment(
  [
    `n.id, n.user_id AS "userId", n.title, n.message, n.notification_type AS "notificationType", n.status, n.event, n.metadata,
     n.source_event_id AS "sourceEventId", n.outbound_mail_id AS "outboundMailId", n.created_at AS "createdAt", n.sent_at AS "sentAt", n.read_at AS "readAt"`,
  ],
  [],
);

const notificationOf = ({ total: _total, unread: _unread, ...row }: PageStatementRow): NotificationRow[] => (row.id === null ? [] : [row as NotificationRow]);

/**
 * A user's inbox: their notifications, newest first, and marking them read. Every operation is the
 * signed-in user's own; a notification of someone else's is NOT_FOUND, exactly as one that does
 * not exist, so ids cannot be probed.
 */
export function createInbox({ db, sql, now }: { db: NotificationsDb; sql: LeanSql; now: () => Date }) {
  return {
    /**
     * One page, newest first, in one statement (over node-postgres: the page is the inbox's hot read): with it, when the client selected a count
     * (`reads.counts`), the user's notification_counts rows summed. A count the statement did not
     * read is read on its own if asked for after all. unreadOnly is the partial index's predicate,
     * written out as constants so that the index serves it.
     */
    async page(userId: bigint, filter: InboxFilter, size: number, after: bigint | undefined, reads: PageReads): Promise<NotificationPage> {
      const rows = await sql.rows<PageStatementRow>(statement`
        SELECT c.total, c.unread, ${notificationColumns}
        FROM ${reads.counts ? countsOf(userId, filter) : statement`(VALUES (NULL::int, NULL::int)) AS c(total, unread)`}
        LEFT JOIN LATERAL (
          SELECT * FROM notifications
          WHERE user_id = ${userId}::bigint
            ${filter.channel ? statement`AND notification_type = ${filter.channel}::varchar` : emptyStatement}
            ${filter.unreadOnly ? statement`AND notification_type = 'in_app' AND status = 'sent'` : emptyStatement}
            ${after !== undefined ? statement`AND id < ${after}::bigint` : emptyStatement}
          ORDER BY id DESC
          LIMIT ${size + 1}::int
        ) AS n ON true
        ORDER BY n.id DESC`);
      const [first] = rows;
      let counts: Promise<PageCounts> | undefined =
        first && first.total !== null && first.unread !== null ? Promise.resolve({ total: first.total, unread: first.unread }) : undefined;
      const countsRead = () => (counts ??= sql.rows<PageCounts>(statement`SELECT c.total, c.unread FROM ${countsOf(userId, filter)}`).then(([row]) => row!));
      const unreadOf = async () => (await countsRead()).unread;
      return toNotificationPage(rows.flatMap(notificationOf), size, {
        totalCount: async () => {
          if (!filter.unreadOnly) return (await countsRead()).total;
          return filter.channel === null || filter.channel === unread.notificationType ? unreadOf() : 0;
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
