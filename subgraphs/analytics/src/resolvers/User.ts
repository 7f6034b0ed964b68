import { requireId, requireViewer } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';
import { checkDayRange } from '../statistics.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  employerStats: (user, range, ctx) => ctx.statistics.forEmployer(requireViewer(ctx), requireId(user.id, 'id'), checkDayRange(range)),
};
