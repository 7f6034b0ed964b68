import type { Prisma, PrismaClient } from './generated/prisma/client.js';

export type SearchDb = InstanceType<typeof PrismaClient>;
export type Tx = Prisma.TransactionClient;
/** The database client or a transaction on it: what a read or a write that may join a transaction takes. */
export type SqlRunner = SearchDb | Tx;
export type { SavedSearch as SavedSearchRow, SearchHistory as SearchHistoryRow } from './generated/prisma/client.js';

/** Positional parameters for a statement assembled from parts: `param(value)` returns its `$n`. */
export function createParams() {
  const values: unknown[] = [];
  return {
    values,
    param(value: unknown): string {
      values.push(value);
      return `$${values.length}`;
    },
  };
}
