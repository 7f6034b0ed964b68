import { isSelfOrAdmin, pageSize, parseId } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';
import { decodeJobCursor, toJobPage } from '../job-pages.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  /** The user and admins see every posting; anyone else sees the open ones (see the SDL). */
  postedJobs: async (user, { first, after }, ctx) => {
    const size = pageSize(first);
    const cursor = decodeJobCursor(after);
    const employerId = parseId(user.id);
    if (employerId === undefined) return toJobPage([], size, async () => 0);
    const isActive = isSelfOrAdmin(ctx.viewer, user.id) ? null : true;
    const rows = await ctx.loaders.postedJobs.load({ ownerId: employerId, size, cursor, isActive });
    return toJobPage(rows, size, () => ctx.loaders.postedJobCount.load({ ownerId: employerId, isActive }));
  },
};
