import type { JobSearchConnectionResolvers, JobSearchEdgeResolvers } from '../generated/graphql.js';

export const JobSearchConnection: JobSearchConnectionResolvers = {
  totalCount: (connection) => connection.totalCount,
  facets: (connection) => connection.facets(),
};

export const JobSearchEdge: JobSearchEdgeResolvers = {
  node: (hit) => hit,
};
