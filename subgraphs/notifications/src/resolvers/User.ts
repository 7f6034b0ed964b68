import { pageSize, parseId, selectedFieldNames } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';
import { isRecipient } from '../inbox.js';
import { storedValueOf } from '../notification-events.js';
import { decodeNotificationCursor } from '../notification-pages.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  /** The user alone; null for everyone else, admins included (see the SDL). */
  notifications: async (user, { unreadOnly, notificationType, first, after }, ctx, info) => {
    const size = pageSize(first);
    const cursor = decodeNotificationCursor(after);
    const userId = parseId(user.id);
    if (userId === undefined || !isRecipient(ctx.viewer, userId)) return null;
    const selected = selectedFieldNames(info);
    const filter = { unreadOnly: unreadOnly ?? false, channel: notificationType ? storedValueOf(notificationType) : null };
    return ctx.inbox.page(userId, filter, size, cursor, { counts: selected.has('totalCount') || selected.has('unreadCount') });
  },
  notificationPreferences: async (user, _args, ctx) => {
    const userId = parseId(user.id);
    if (userId === undefined || !isRecipient(ctx.viewer, userId)) return null;
    return ctx.preferences.of(userId);
  },
};
