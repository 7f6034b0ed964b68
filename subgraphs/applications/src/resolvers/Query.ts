import { parseId, viewerAsUser } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { visibleApplication } from '../application-access.js';

export const Query: QueryResolvers = {
  /** The signed-in viewer's User, so that the gateway asks this service alone for their fields here. */
  me: (_parent, _args, ctx) => viewerAsUser(ctx),
  application: async (_parent, { id }, ctx) => {
    const applicationId = parseId(id);
    return applicationId === undefined ? null : visibleApplication(ctx, await ctx.loaders.applicationById.load(applicationId));
  },
};
