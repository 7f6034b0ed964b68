import { pageSize, parseId } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';
import { decodeApplicationCursor, toApplicationPage } from '../application-pages.js';
import { statusColumn } from '../application-status.js';
import { mayListUserApplications } from '../visibility.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  /** The user themselves and admins; null for everyone else (see the SDL). */
  applications: async (user, { status, first, after }, ctx) => {
    const size = pageSize(first);
    const cursor = decodeApplicationCursor(after);
    const applicantId = parseId(user.id);
    if (!ctx.viewer || applicantId === undefined || !mayListUserApplications(ctx.viewer, user.id)) return null;
    const stored = status ? statusColumn(status) : null;
    const rows = await ctx.loaders.userApplications.load({ ownerId: applicantId, status: stored, size, cursor });
    return toApplicationPage(rows, size, () => ctx.loaders.userApplicationCount.load({ ownerId: applicantId, status: stored }));
  },
};
