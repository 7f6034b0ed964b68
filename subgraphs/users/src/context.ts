import DataLoader from 'dataloader';
import type { RequestContext } from '@jobplatform/service-runtime';
import type { AccountService } from './accounts.js';
import type { UsersDb, UserRow } from './db.js';
import type { FieldCipher } from './field-encryption.js';

export type UsersContext = RequestContext & {
  accounts: AccountService;
  cipher: FieldCipher;
  /** Active users by id, batched per request (entity references and `user(id)`). */
  userById: DataLoader<bigint, UserRow | null>;
  /** Set by register and login: the account that proved who it is during this very request. */
  signedInAs?: bigint;
};

export function createUserLoader(db: UsersDb): DataLoader<bigint, UserRow | null> {
  return new DataLoader(
    async (ids) => {
      const rows = await db.user.findMany({ where: { id: { in: [...ids] }, isActive: true } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cacheKeyFn: (id) => id.toString(), maxBatchSize: 500 },
  );
}

/** Parses a GraphQL ID into a users primary key, or undefined when it cannot be one. */
export function parseUserId(id: string): bigint | undefined {
  return /^\d{1,18}$/.test(id) ? BigInt(id) : undefined;
}
