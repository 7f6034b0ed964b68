import type { CompanyResolvers } from '../generated/graphql.js';

export const Company: CompanyResolvers = {
  id: (company) => company.id.toString(),
};
