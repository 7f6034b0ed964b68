import { isSelfOrAdmin, pageSize, parseId } from '@jobplatform/service-runtime';
import type { ShownUserProfile } from '@jobplatform/events';
import type { UserResolvers } from '../generated/graphql.js';
import type { JobsContext } from '../context.js';
import { decodeJobCursor, toJobPage } from '../job-pages.js';

/**
 * A job's employer as the users replica shows them. The replica holds a poster once users reported
 * them, or once they posted on a token that names them (acting-account.ts writes a provisional
 * row); an erased account keeps its row. Without one the field is an error, never a made-up handle.
 */
async function employerProfile(user: { id: string }, ctx: JobsContext): Promise<ShownUserProfile> {
  const profile = await ctx.loaders.userProfileById.load(BigInt(user.id));
  if (!profile) throw new Error(`the users replica has no row for user ${user.id}`);
  return profile;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  // Asked of this service only through Job.employer (@provides); users resolves them elsewhere.
  username: async (user, _args, ctx) => (await employerProfile(user, ctx)).username,
  firstName: async (user, _args, ctx) => (await employerProfile(user, ctx)).firstName,
  lastName: async (user, _args, ctx) => (await employerProfile(user, ctx)).lastName,
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
