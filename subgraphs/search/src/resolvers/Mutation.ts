import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  addSearchItem: (_parent, { title }, ctx) => ctx.items.add(requireViewer(ctx), title),
};
