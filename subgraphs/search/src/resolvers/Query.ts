import { parseId } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  searchItem: async (_parent, { id }, ctx) => {
    const itemId = parseId(id);
    const item = itemId === undefined ? null : await ctx.loaders.itemById.load(itemId);
    return item && ctx.items.maySee(ctx.viewer, item) ? item : null;
  },
};
