import type { AlertFrequency, SavedSearchResolvers } from '../generated/graphql.js';

export const SavedSearch: SavedSearchResolvers = {
  __resolveReference: (reference, ctx) => ctx.savedSearches.findOwn(ctx.viewer, String(reference.id)),
  id: (search) => search.id.toString(),
  alertFrequency: (search) => search.alertFrequency.toUpperCase() as AlertFrequency,
};
