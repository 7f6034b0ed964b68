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

/** Opens a transaction on a pool, runs work, commits; rolls back when work throws. */
export async function runPgTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Accepts only plain SQL identifiers, since table and column names cannot be parameters. */
export function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}
