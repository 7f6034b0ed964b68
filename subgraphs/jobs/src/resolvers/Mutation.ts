import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  createCompany: (_p, { input }, ctx) => ctx.companies.create(requireViewer(ctx), input),
  updateCompany: (_p, { id, input }, ctx) => ctx.companies.update(requireViewer(ctx), id, input),
  verifyCompany: (_p, { id }, ctx) => ctx.companies.verify(requireViewer(ctx), id),
  addCompanyMember: (_p, { companyId, userId, role }, ctx) => ctx.companies.addMember(requireViewer(ctx), companyId, userId, role === 'OWNER' ? 'owner' : 'member'),
  removeCompanyMember: (_p, { companyId, userId }, ctx) => ctx.companies.removeMember(requireViewer(ctx), companyId, userId),
  createJob: (_p, { input }, ctx) => ctx.postings.create(requireViewer(ctx), input),
  updateJob: (_p, { id, input }, ctx) => ctx.postings.update(requireViewer(ctx), id, input),
  closeJob: (_p, { id }, ctx) => ctx.postings.close(requireViewer(ctx), id),
  deleteJob: (_p, { id }, ctx) => ctx.postings.delete(requireViewer(ctx), id),
  createJobCategory: (_p, { input }, ctx) => ctx.categories.create(requireViewer(ctx), input),
  updateJobCategory: (_p, { id, input }, ctx) => ctx.categories.update(requireViewer(ctx), id, input),
};
