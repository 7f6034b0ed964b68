import type { LeanTx } from '@jobplatform/service-runtime';
import type { Prisma, PrismaClient } from './generated/prisma/client.js';

export type SearchDb = InstanceType<typeof PrismaClient>;
export type Tx = Prisma.TransactionClient;
/**
 * What a write of the read model takes: Prisma's client, a transaction on it, or a node-postgres
 * transaction seen through the same two methods (rawSqlOver). The job-index consumer runs on the
 * latter: a new job's alerts are hundreds of outbox rows in one statement, whose parameters cost
 * Prisma's client far more CPU than node-postgres.
 */
export type SqlRunner = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
};

/** A node-postgres transaction (the kit's LeanTx) as a SqlRunner: rows as Prisma's raw queries return them (int8 as bigint), numeric as text. */
export const rawSqlOver = (tx: LeanTx): SqlRunner => ({
  $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => tx.rows(query, values) as Promise<T>,
  $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await tx.query(query, values)).rowCount ?? 0,
});
export type { SavedSearch as SavedSearchRow, SearchHistory as SearchHistoryRow } from './generated/prisma/client.js';

/**
 * SQL for the lowest transaction id still running: every change by an older transaction is
 * committed or gone. What the in-memory copies (saved-search matcher, job index) read changes from.
 */
export const OLDEST_RUNNING_XID = `pg_snapshot_xmin(pg_current_snapshot())::text`;

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
