import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  trackEvent: (_parent, { input }, ctx) => ctx.ingest.track(ctx, input),
  trackEvents: (_parent, { inputs }, ctx) => ctx.ingest.trackMany(ctx, inputs),
};
