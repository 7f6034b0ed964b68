import type pg from 'pg';

/** A Prisma interactive-transaction client (`prisma.$transaction(async (tx) => ...)`'s tx). */
export type PrismaSqlClient = {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
};

/** A node-postgres client inside a transaction the caller opened (pool.connect() + BEGIN). */
export type PgSqlClient = Pick<pg.ClientBase, 'query'>;

/** Where event writes go: the caller's open transaction, through Prisma or node-postgres. */
export type SqlClient = PrismaSqlClient | PgSqlClient;

function isPrisma(client: SqlClient): client is PrismaSqlClient {
  return typeof (client as PrismaSqlClient).$queryRawUnsafe === 'function';
}

/** Runs a statement with $1-style parameters and returns its rows, whichever client it is. */
export async function queryRows<Row extends Record<string, unknown>>(client: SqlClient, sql: string, values: unknown[] = []): Promise<Row[]> {
  if (isPrisma(client)) return client.$queryRawUnsafe<Row[]>(sql, ...values);
  const result = await client.query(sql, values);
  return result.rows as Row[];
}

/**
 * A client from the pool, listened to for errors while it is checked out: pg-pool listens only to
 * idle clients, and a connection that the server ends between two statements (a restart, a
 * failover, pg_terminate_backend) would otherwise be an unhandled 'error' event, which ends the
 * process. release() hands it back, or destroys it when it is broken or its connection failed.
 */
export async function checkOutClient(pool: pg.Pool): Promise<{ client: pg.PoolClient; release(broken?: boolean): void }> {
  const client = await pool.connect();
  let failed = false;
  const onError = () => {
    failed = true; // the statement in progress, or the next one, fails with it
  };
  client.on('error', onError);
  return {
    client,
    release(broken = false) {
      client.off('error', onError);
      client.release(broken || failed);
    },
  };
}

/** Opens a transaction on a pool, runs work, commits; rolls back when work throws. */
export async function runPgTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkOutClient(pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    release(broken); // a connection that cannot even roll back is closed, not reused
  }
}

/** Accepts only plain SQL identifiers, since table and column names cannot be parameters. */
export function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Deletes at most `limit` rows of `table` that match `where`, in one short statement, and returns
 * how many: pruning in such batches never holds many row locks or a long transaction. The rows are
 * found through the index `where` can use, and deleted by their physical address (a TID scan).
 */
export async function deleteBatch(client: SqlClient, table: string, where: string, values: unknown[], limit: number): Promise<number> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer: ${limit}`);
  const name = quoteIdentifier(table);
  const rows = await queryRows<{ deleted: number }>(
    client,
    `WITH "deleted" AS (DELETE FROM ${name} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${name} WHERE ${where} LIMIT ${limit})) RETURNING 1)
     SELECT count(*)::int AS "deleted" FROM "deleted"`,
    values,
  );
  return rows[0]?.deleted ?? 0;
}
