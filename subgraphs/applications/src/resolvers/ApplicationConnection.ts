import type { ApplicationConnectionResolvers } from '../generated/graphql.js';

/** edges and pageInfo are the page's own; the total is counted only when asked for. */
export const ApplicationConnection: ApplicationConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
};
