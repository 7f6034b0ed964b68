import { pageSize, parseId } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';
import { viewerMay } from '../application-access.js';
import { decodeApplicationCursor, toApplicationPage, type UserReference } from '../application-pages.js';
import { statusColumn } from '../application-status.js';
import { pageReadsOf } from '../page-selection.js';
import type { ApplicationsContext } from '../context.js';
import { mayListUserApplications } from '../visibility.js';

/**
 * The applicant's contact details from the applicant contacts replica, when the user was reached
 * through an application whose applicant's contact details the viewer may see (the applicant, the
 * job's employer side, admins); null otherwise. An erased applicant's row holds nothing.
 */
function applicantContact(user: UserReference, ctx: ApplicationsContext) {
  // email, firstName and lastName of one applicant ask once: the reference is made per request and
  // per application (Application.applicant), so it keys the answer for that request's viewer.
  let shown = contactsShown.get(user);
  if (!shown) {
    shown = shownContact(user, ctx);
    contactsShown.set(user, shown);
  }
  return shown;
}

const contactsShown = new WeakMap<UserReference, ReturnType<typeof shownContact>>();

async function shownContact(user: UserReference, ctx: ApplicationsContext) {
  const application = user.reachedThrough;
  if (!application || application.applicantId.toString() !== user.id) return null;
  if (!(await viewerMay(ctx, application, 'view_applicant_contact'))) return null;
  const contact = await ctx.loaders.applicantContactById.load(application.applicantId);
  return contact && contact.email !== '' ? contact : null;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  /**
   * From the users replica: the gateway asks this service for it only through Application.applicant
   * and ApplicationStatusChange.changedBy (@provides). A public field, shown to whoever sees the
   * application. An error only for an account the replica does not know (applying needs the row).
   */
  username: async (user, _args, ctx) => {
    const userId = parseId(user.id);
    const username = userId === undefined ? null : await ctx.loaders.usernameById.load(userId);
    if (username === null) throw new Error(`user ${user.id} is not in the users replica`);
    return username;
  },
  email: async (user, _args, ctx) => (await applicantContact(user, ctx))?.email ?? null,
  firstName: async (user, _args, ctx) => (await applicantContact(user, ctx))?.firstName ?? null,
  lastName: async (user, _args, ctx) => (await applicantContact(user, ctx))?.lastName ?? null,
  /** The user themselves and admins; null for everyone else (see the SDL). */
  applications: async (user, { status, first, after }, ctx, info) => {
    const size = pageSize(first);
    const cursor = decodeApplicationCursor(after);
    const applicantId = parseId(user.id);
    if (!ctx.viewer || applicantId === undefined || !mayListUserApplications(ctx.viewer, user.id)) return null;
    const stored = status ? statusColumn(status) : null;
    const rows = await ctx.loaders.userApplications.load({ ownerId: applicantId, status: stored, size, cursor, reads: pageReadsOf(info) });
    return toApplicationPage(rows, size, () => ctx.loaders.userApplicationCount.load({ ownerId: applicantId, status: stored }));
  },
};
