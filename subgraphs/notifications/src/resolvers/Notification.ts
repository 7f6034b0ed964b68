import type { NotificationEvent, NotificationResolvers, NotificationStatus, NotificationType } from '../generated/graphql.js';
import { recipientsNotification } from '../notification-access.js';
import { apiValueOf } from '../notification-events.js';

export const Notification: NotificationResolvers = {
  /** Its recipient alone; null for anyone else. */
  __resolveReference: (reference, ctx) => recipientsNotification(ctx, String(reference.id)),
  id: (row) => row.id.toString(),
  recipient: (row) => ({ id: row.userId.toString() }),
  notificationType: (row) => apiValueOf(row.notificationType) as NotificationType,
  status: (row) => apiValueOf(row.status) as NotificationStatus,
  event: (row) => apiValueOf(row.event) as NotificationEvent,
};
