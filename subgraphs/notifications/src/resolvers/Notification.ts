import { parseId } from '@jobplatform/service-runtime';
import type { NotificationEvent, NotificationResolvers, NotificationStatus, NotificationType } from '../generated/graphql.js';
import { isRecipient } from '../inbox.js';
import { apiValueOf } from '../notification-events.js';

export const Notification: NotificationResolvers = {
  /** Its recipient alone (the gateway resolves notificationReceived as the subscriber); null for anyone else. */
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    const row = id === undefined ? null : await ctx.loaders.notificationById.load(id);
    return row && isRecipient(ctx.viewer, row.userId) ? row : null;
  },
  id: (row) => row.id.toString(),
  recipient: (row) => ({ id: row.userId.toString() }),
  notificationType: (row) => apiValueOf(row.notificationType) as NotificationType,
  status: (row) => apiValueOf(row.status) as NotificationStatus,
  event: (row) => apiValueOf(row.event) as NotificationEvent,
};
