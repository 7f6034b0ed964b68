import { requireRole, viewerAsUser } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { checkDayRange } from '../statistics.js';

export const Query: QueryResolvers = {
  /** The signed-in viewer's User, so that the gateway asks this service alone for their fields here. */
  me: (_parent, _args, ctx) => viewerAsUser(ctx),
  platformStats: (_parent, range, ctx) => {
    requireRole(ctx, 'admin', 'Only admins can see the platform statistics');
    return ctx.statistics.forPlatform(checkDayRange(range));
  },
};
