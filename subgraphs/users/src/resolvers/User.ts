import { isSelfOrAdmin, parseId } from '@jobplatform/service-runtime';
import type { UserResolvers, UserType } from '../generated/graphql.js';
import type { UsersContext } from '../context.js';
import type { UserRow } from '../db.js';
import { formerAccountView } from '../context.js';

/** Private fields are shown to the account's owner and to admins; everyone else gets null. */
function canSeePrivate(user: UserRow, ctx: UsersContext): boolean {
  return ctx.signedInAs === user.id || isSelfOrAdmin(ctx.viewer, user.id);
}

const privateField =
  <T>(read: (user: UserRow, ctx: UsersContext) => T) =>
  (user: UserRow, _args: unknown, ctx: UsersContext): T | null =>
    canSeePrivate(user, ctx) ? read(user, ctx) : null;

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
