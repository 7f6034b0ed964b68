import { parseId } from '@jobplatform/service-runtime';
import type { NotificationsContext } from './context.js';
import type { NotificationRow } from './db.js';
import { isRecipient } from './inbox.js';

/** The notification when the signed-in user is its recipient, else null: ids cannot be probed. */
export async function recipientsNotification(ctx: NotificationsContext, id: string): Promise<NotificationRow | null> {
  const notificationId = parseId(id);
  const row = notificationId === undefined ? null : await ctx.loaders.notificationById.load(notificationId);
  return row && isRecipient(ctx.viewer, row.userId) ? row : null;
}
