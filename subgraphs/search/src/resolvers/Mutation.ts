import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  clearSearchHistory: (_parent, _args, ctx) => ctx.search.clearHistory(requireViewer(ctx)),
  saveSearch: (_parent, { input }, ctx) => ctx.savedSearches.save(requireViewer(ctx), input),
  deleteSavedSearch: (_parent, { id }, ctx) => ctx.savedSearches.delete(requireViewer(ctx), id),
};
