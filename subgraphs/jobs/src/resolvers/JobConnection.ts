import type { JobConnectionResolvers } from '../generated/graphql.js';

export const JobConnection: JobConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
  edges: (page) => page.edges,
  pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null }),
};
