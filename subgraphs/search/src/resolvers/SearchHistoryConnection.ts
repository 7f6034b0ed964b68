import type { SearchHistoryEntryResolvers } from '../generated/graphql.js';

export const SearchHistoryEntry: SearchHistoryEntryResolvers = {
  id: (entry) => entry.id.toString(),
  filters: (entry) => entry.filters ?? null,
};
