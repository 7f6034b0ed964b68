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

/** The page statement's one row: the counts (null when not read), and the page's notifications as JSON (null when the page is empty). */
type PageStatementRow = { total: number | null; unread: number | null; notifications: NotificationJson[] | null };

/** A notification as the page statement writes it (notificationJson): ids as text, instants as milliseconds since the epoch. */
type NotificationJson = Omit<NotificationRow, 'id' | 'userId' | 'createdAt' | 'sentAt' | 'readAt'> & {
  id: string;
  userId: string;
  createdAt: number;
  sentAt: number | null;
  readAt: number | null;
};

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

const epochMillisecondsOf = (column: string) => `(extract(epoch FROM n.${column}) * 1000)::bigint`;

/**
 * A notification row (table alias n) as one JSON object, for a page: PostgreSQL writes the page's
 * rows as one JSON value, which the service parses with JSON.parse, where node-postgres parsed 21
 * rows of 15 columns value by value (its row handling was about a tenth of the service's CPU in a
 * profile under load). Instants go as milliseconds since the epoch (the columns keep
 * milliseconds, so nothing is lost).
 */
const notificationJson = new SqlFragment(
  [
    `json_build_object('id', n.id::text, 'userId', n.user_id::text, 'title', n.title, 'message', n.message, 'notificationType', n.notification_type,
     'status', n.status, 'event', n.event, 'metadata', n.metadata, 'sourceEventId', n.source_event_id, 'outboundMailId', n.outbound_mail_id,
     'createdAt', ${epochMillisecondsOf('created_at')}, 'sentAt', ${epochMillisecondsOf('sent_at')}, 'readAt', ${epochMillisecondsOf('read_at')})`,
  ],
  [],
);

/**
 * The page's rows by id, newest first. The statement's json_agg takes them as its subquery returns
 * them (in that order, in practice, but SQL does not promise it), and an ORDER BY inside json_agg
 * sorted them again in PostgreSQL: a third of the statement's execution time for a page of 21.
 */
const newestFirst = (rows: NotificationRow[]) => rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

const instantOf = (milliseconds: number | null) => (milliseconds === null ? null : new Date(milliseconds));

const notificationOf = (json: NotificationJson): NotificationRow => ({
  ...json,
  id: BigInt(json.id),
  userId: BigInt(json.userId),
  createdAt: new Date(json.createdAt),
  sentAt: instantOf(json.sentAt),
  readAt: instantOf(json.readAt),
});

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
     *
     * The user's id reaches the page's scan through a sub-select, which hides its value from the
     * planner: a plan made with the value (the first five calls of each connection, or every call
     * of a statement sent unprepared) takes it as one of many users and reads the user's rows on
     * the (user_id, id DESC) index. Seeing the value, PostgreSQL judged a user with many
     * notifications likely to have recent ones, and walked the primary key backwards past every
     * newer notification of other users: 17 ms instead of 0.4 for a user whose 10,000 were older
     * than 50,000 others', and growing with the table.
     */
    async page(userId: bigint, filter: InboxFilter, size: number, after: bigint | undefined, reads: PageReads): Promise<NotificationPage> {
      const [row] = await sql.rows<PageStatementRow>(statement`
        SELECT c.total, c.unread, (
          SELECT json_agg(${notificationJson}) FROM (
            SELECT * FROM notifications
            WHERE user_id = (SELECT ${userId}::bigint)
              ${filter.channel ? statement`AND notification_type = ${filter.channel}::varchar` : emptyStatement}
              ${filter.unreadOnly ? statement`AND notification_type = 'in_app' AND status = 'sent'` : emptyStatement}
              ${after !== undefined ? statement`AND id < ${after}::bigint` : emptyStatement}
            ORDER BY id DESC
            LIMIT ${size + 1}::int
          ) AS n
        ) AS notifications
        FROM ${reads.counts ? countsOf(userId, filter) : statement`(VALUES (NULL::int, NULL::int)) AS c(total, unread)`}`);
      const { total, unread: unreadTotal, notifications } = row!;
      let counts: Promise<PageCounts> | undefined = total !== null && unreadTotal !== null ? Promise.resolve({ total, unread: unreadTotal }) : undefined;
      const countsRead = () => (counts ??= sql.rows<PageCounts>(statement`SELECT c.total, c.unread FROM ${countsOf(userId, filter)}`).then(([counted]) => counted!));
      const unreadOf = async () => (await countsRead()).unread;
      return toNotificationPage(newestFirst((notifications ?? []).map(notificationOf)), size, {
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
