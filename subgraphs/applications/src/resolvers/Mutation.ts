import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  applyToJob: (_p, { input }, ctx) => ctx.applications.apply(requireViewer(ctx), input),
  withdrawApplication: (_p, { id }, ctx) => ctx.applications.withdraw(requireViewer(ctx), id),
  updateApplicationStatus: (_p, { id, status, notes }, ctx) => ctx.applications.updateStatus(requireViewer(ctx), id, status, notes),
};
