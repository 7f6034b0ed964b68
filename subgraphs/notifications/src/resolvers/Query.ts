import { requireViewer, viewerAsUser } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { recipientsNotification } from '../notification-access.js';

export const Query: QueryResolvers = {
  /** The signed-in viewer's User, so that the gateway asks this service alone for their fields here. */
  me: (_parent, _args, ctx) => viewerAsUser(ctx),
  notificationTemplates: (_parent, _args, ctx) => ctx.templates.list(requireViewer(ctx)),
  notification: (_parent, { id }, ctx) => recipientsNotification(ctx, id),
};
