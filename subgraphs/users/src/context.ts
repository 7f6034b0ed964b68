import type DataLoader from 'dataloader';
import { createByIdLoader, type RequestContext } from '@jobplatform/service-runtime';
import type { AccountService } from './accounts.js';
import type { UsersDb, UserRow } from './db.js';
import type { FieldCipher } from './field-encryption.js';

export type UsersContext = RequestContext & {
  accounts: AccountService;
  cipher: FieldCipher;
  /** Users by id, deactivated and erased ones included, batched per request. */
  userById: DataLoader<bigint, UserRow | null, string>;
  /** Set by register and login: the account that proved who it is during this very request. */
  signedInAs?: bigint;
};

export function createUserLoader(db: UsersDb): DataLoader<bigint, UserRow | null, string> {
  return createByIdLoader((ids) => db.user.findMany({ where: { id: { in: ids } } }));
}

/** The account, or null when it does not exist or is deactivated or erased. */
export async function loadActiveUser(ctx: UsersContext, id: bigint): Promise<UserRow | null> {
  const user = await ctx.userById.load(id);
  return user?.isActive ? user : null;
}

/**
 * What other services' data shows of an account that is no longer active: a job posted by an
 * employer who deleted their account still names a user. The id and username stay (an erased
 * account's username is its tombstone, `erased~<id>`); the public profile is blank.
 */
export function formerAccountView(user: UserRow): UserRow {
  return user.isActive ? user : { ...user, firstName: null, lastName: null, bio: null, profilePicture: null };
}
