import DataLoader from 'dataloader';
import type { RequestContext } from '@jobplatform/service-runtime';
import type { AccountService } from './accounts.js';
import type { UsersDb, UserRow } from './db.js';
import type { FieldCipher } from './field-encryption.js';

export type UsersContext = RequestContext & {
  accounts: AccountService;
  cipher: FieldCipher;
  /** Users by id, deactivated and erased ones included, batched per request. */
  userById: DataLoader<bigint, UserRow | null>;
  /** Set by register and login: the account that proved who it is during this very request. */
  signedInAs?: bigint;
};

export function createUserLoader(db: UsersDb): DataLoader<bigint, UserRow | null> {
  return new DataLoader(
    async (ids) => {
      const rows = await db.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cacheKeyFn: (id) => id.toString(), maxBatchSize: 500 },
  );
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

/** Parses a GraphQL ID into a users primary key, or undefined when it cannot be one. */
export function parseUserId(id: string): bigint | undefined {
  return /^\d{1,18}$/.test(id) ? BigInt(id) : undefined;
}
