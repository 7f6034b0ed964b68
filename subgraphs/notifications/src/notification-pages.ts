import { decodeCursor, encodeCursor, parseId, toConnection, type Connection, type Edge } from '@jobplatform/service-runtime';
import type { NotificationRow } from './db.js';

/** A user as notifications knows them in the graph: the key that users resolves. */
export type UserReference = { id: string };

export type NotificationPageEdge = Edge<NotificationRow>;

/** One page of a user's notifications; the counts are read only when a client asks for them. */
export type NotificationPage = Connection<NotificationRow> & { unreadCount: () => Promise<number> };

/** Lists are newest first by id (ids grow with creation): a page starts just below the id in `after`. */
const encodeNotificationCursor = (row: Pick<NotificationRow, 'id'>) => encodeCursor([row.id.toString()]);

/** Parses an `after` argument; anything but a cursor of a notification list is BAD_USER_INPUT. */
export function decodeNotificationCursor(after: string | null | undefined): bigint | undefined {
  return decodeCursor(after, (values) => (values.length === 1 ? parseId(values[0]!) : undefined));
}

/** Builds a page from up to size + 1 rows (the extra row only says that more follow). */
export function toNotificationPage(rows: NotificationRow[], size: number, counts: { totalCount: () => Promise<number>; unreadCount: () => Promise<number> }): NotificationPage {
  return { ...toConnection(rows, size, encodeNotificationCursor, counts.totalCount), unreadCount: counts.unreadCount };
}
