import { requireViewer } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { recipientsNotification } from '../notification-access.js';

export const Query: QueryResolvers = {
  notificationTemplates: (_parent, _args, ctx) => ctx.templates.list(requireViewer(ctx)),
  notification: (_parent, { id }, ctx) => recipientsNotification(ctx, id),
};
