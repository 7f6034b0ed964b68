import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';
import { storedValueOf } from '../notification-events.js';

export const Mutation: MutationResolvers = {
  markNotificationRead: (_parent, { id }, ctx) => ctx.inbox.markRead(requireViewer(ctx), id),
  markAllNotificationsRead: (_parent, _args, ctx) => ctx.inbox.markAllRead(requireViewer(ctx)),
  updateNotificationPreference: (_parent, { notificationType, isEnabled }, ctx) => ctx.preferences.update(requireViewer(ctx), storedValueOf(notificationType), isEnabled),
  upsertNotificationTemplate: (_parent, { input }, ctx) =>
    ctx.templates.upsert(requireViewer(ctx), {
      event: storedValueOf(input.event),
      channel: storedValueOf(input.notificationType),
      subject: input.subject,
      body: input.body,
      isActive: input.isActive ?? true,
    }),
};
