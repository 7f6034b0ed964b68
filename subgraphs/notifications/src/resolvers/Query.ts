import { requireViewer } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  notificationTemplates: (_parent, _args, ctx) => ctx.templates.list(requireViewer(ctx)),
};
