import type { UserResolvers } from '../generated/graphql.js';
import { decodeCursor, pageSize, toPage } from '../job-pages.js';
import { parseId } from '../validation.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  /** The user and admins see every posting; anyone else sees the open ones (see the SDL). */
  postedJobs: async (user, { first, after }, ctx) => {
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const employerId = parseId(user.id);
    if (employerId === undefined) return toPage([], size, async () => 0);
    const seesAll = ctx.viewer !== undefined && (ctx.viewer.userId === user.id || ctx.viewer.role === 'admin');
    const isActive = seesAll ? null : true;
    const rows = await ctx.loaders.postedJobs.load({ ownerId: employerId, size, cursor, isActive });
    return toPage(rows, size, () => ctx.loaders.postedJobCount.load({ ownerId: employerId, isActive }));
  },
};
