import { parseId } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { loadActiveUser } from '../context.js';

export const Query: QueryResolvers = {
  me: async (_parent, _args, ctx) => (ctx.viewer ? loadActiveUser(ctx, BigInt(ctx.viewer.userId)) : null),
  user: async (_parent, { id }, ctx) => {
    const userId = parseId(id);
    return userId === undefined ? null : loadActiveUser(ctx, userId);
  },
};
