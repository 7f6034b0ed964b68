import type { CompanySearchConnectionResolvers, CompanySearchEdgeResolvers } from '../generated/graphql.js';

export const CompanySearchConnection: CompanySearchConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};

export const CompanySearchEdge: CompanySearchEdgeResolvers = {
  node: (edge) => edge.node,
};
