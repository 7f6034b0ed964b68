import { parseId } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  searchItems: async (user, _args, ctx) => {
    const ownerId = parseId(user.id);
    if (ownerId === undefined || !ctx.items.maySee(ctx.viewer, { ownerId })) return [];
    return ctx.loaders.itemsByOwnerId.load(ownerId);
  },
};
