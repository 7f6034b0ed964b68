import { parseId } from '@jobplatform/service-runtime';
import type { SearchItemResolvers } from '../generated/graphql.js';

export const SearchItem: SearchItemResolvers = {
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    const item = id === undefined ? null : await ctx.loaders.itemById.load(id);
    return item && ctx.items.maySee(ctx.viewer, item) ? item : null;
  },
  id: (item) => item.id.toString(),
  owner: (item) => ({ id: item.ownerId.toString() }),
};
