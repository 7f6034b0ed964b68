import type { UserResolvers } from '../generated/graphql.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  searchHistory: (user, args, ctx) => ctx.search.history(ctx.viewer, user.id, args),
  savedSearches: (user, _args, ctx) => ctx.savedSearches.list(ctx.viewer, user.id),
};
