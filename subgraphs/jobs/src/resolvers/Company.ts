import type { CompanyResolvers, CompanySize } from '../generated/graphql.js';
import { decodeCursor, pageSize, toPage } from '../job-pages.js';
import { parseId } from '../validation.js';

export const Company: CompanyResolvers = {
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    return id === undefined ? null : ctx.loaders.companyById.load(id);
  },
  id: (company) => company.id.toString(),
  size: (company) => (company.size ? (company.size.toUpperCase() as CompanySize) : null),
  jobs: async (company, { first, after, isActive }, ctx) => {
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const active = isActive === undefined ? true : isActive;
    const rows = await ctx.loaders.companyJobs.load({ ownerId: company.id, size, cursor, isActive: active });
    return toPage(rows, size, () => ctx.loaders.companyJobCount.load({ ownerId: company.id, isActive: active }));
  },
  members: async (company, _args, ctx) => {
    if (!ctx.viewer) return null;
    if (ctx.viewer.role !== 'admin' && !(await ctx.loaders.viewerMemberships()).has(company.id)) return null;
    return ctx.loaders.membersByCompanyId.load(company.id);
  },
  viewerIsMember: async (company, _args, ctx) => (await ctx.loaders.viewerMemberships()).has(company.id),
};
