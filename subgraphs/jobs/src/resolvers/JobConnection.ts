import type { JobConnectionResolvers } from '../generated/graphql.js';

/** edges and pageInfo are the page's own; the total is counted only when asked for. */
export const JobConnection: JobConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
};
