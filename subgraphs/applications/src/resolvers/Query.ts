import { parseId } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { visibleApplication } from '../application-access.js';

export const Query: QueryResolvers = {
  application: async (_parent, { id }, ctx) => {
    const applicationId = parseId(id);
    return applicationId === undefined ? null : visibleApplication(ctx, await ctx.loaders.applicationById.load(applicationId));
  },
};
