import { isAdminOrMember, pageSize, parseId } from '@jobplatform/service-runtime';
import type { CompanyResolvers, CompanySize } from '../generated/graphql.js';
import { decodeJobCursor, toJobPage } from '../job-pages.js';

export const Company: CompanyResolvers = {
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    return id === undefined ? null : ctx.loaders.companyById.load(id);
  },
  id: (company) => company.id.toString(),
  size: (company) => (company.size ? (company.size.toUpperCase() as CompanySize) : null),
  jobs: async (company, { first, after, isActive }, ctx) => {
    const size = pageSize(first);
    const cursor = decodeJobCursor(after);
    const active = isActive === undefined ? true : isActive;
    const rows = await ctx.loaders.companyJobs.load({ ownerId: company.id, size, cursor, isActive: active });
    return toJobPage(rows, size, () => ctx.loaders.companyJobCount.load({ ownerId: company.id, isActive: active }));
  },
  members: async (company, _args, ctx) => {
    const seesMembers = await isAdminOrMember(ctx.viewer, async () => (await ctx.loaders.viewerMemberships()).get(company.id));
    return seesMembers ? ctx.loaders.membersByCompanyId.load(company.id) : null;
  },
  viewerIsMember: async (company, _args, ctx) => (await ctx.loaders.viewerMemberships()).has(company.id),
};
