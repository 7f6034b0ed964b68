import { parseId } from '@jobplatform/service-runtime';
import type { UserResolvers, UserType } from '../generated/graphql.js';
import type { UsersContext } from '../context.js';
import type { UserRow } from '../db.js';
import { formerAccountView, loadActiveUser } from '../context.js';

/**
 * Private fields are shown to the account's owner and to admins; everyone else gets null. Being an
 * admin is read from the account as it is now, not from the token's role claim: a token outlives
 * a change of role by up to its lifetime.
 */
async function canSeePrivate(user: UserRow, ctx: UsersContext): Promise<boolean> {
  if (ctx.signedInAs === user.id) return true;
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (viewer.userId === user.id.toString()) return true;
  const viewerId = parseId(viewer.userId);
  const asking = viewerId === undefined ? null : await loadActiveUser(ctx, viewerId);
  return asking !== null && asking.userType === 'admin' && asking.deletionRequestedAt === null;
}

const privateField =
  <T>(read: (user: UserRow, ctx: UsersContext) => T) =>
  async (user: UserRow, _args: unknown, ctx: UsersContext): Promise<T | null> =>
    (await canSeePrivate(user, ctx)) ? read(user, ctx) : null;

export const User: UserResolvers = {
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    // Other services keep referring to accounts that were deactivated or erased (a closed job's
    // employer, an old application's applicant): those resolve, with a blank public profile.
    if (id === undefined) return null;
    const user = await ctx.userById.load(id);
    return user ? formerAccountView(user) : null;
  },
  id: (user) => user.id.toString(),
  userType: (user) => user.userType.toUpperCase() as UserType,
  email: privateField((user) => user.email),
  lastLogin: privateField((user) => user.lastLogin),
  phoneNumber: privateField((user, ctx) => (user.phoneNumberEncrypted ? ctx.cipher.decrypt(user.phoneNumberEncrypted) : null)),
  dateOfBirth: privateField((user, ctx) => (user.dateOfBirthEncrypted ? ctx.cipher.decrypt(user.dateOfBirthEncrypted) : null)),
};
