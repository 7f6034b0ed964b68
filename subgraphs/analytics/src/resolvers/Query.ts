import { requireRole } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { checkDayRange } from '../statistics.js';

export const Query: QueryResolvers = {
  platformStats: (_parent, range, ctx) => {
    requireRole(ctx, 'admin', 'Only admins can see the platform statistics');
    return ctx.statistics.forPlatform(checkDayRange(range));
  },
};
