import DataLoader from 'dataloader';

/** DataLoader options for bigint keys: compared by value, at most 500 keys per query. */
export const bigintKeys = { cacheKeyFn: (id: bigint) => id.toString(), maxBatchSize: 500 } as const;

/**
 * A per-request loader of rows by key (the primary key unless `keyOf` says otherwise): the loads
 * of one tick become one query for their keys (`findMany`, up to 500 at a time), and a key
 * without a row loads null.
 */
export function createByIdLoader<Row extends { id: bigint }>(findMany: (ids: bigint[]) => Promise<Row[]>): DataLoader<bigint, Row | null, string>;
export function createByIdLoader<Row>(findMany: (ids: bigint[]) => Promise<Row[]>, keyOf: (row: Row) => bigint): DataLoader<bigint, Row | null, string>;
export function createByIdLoader<Row>(
  findMany: (ids: bigint[]) => Promise<Row[]>,
  keyOf: (row: Row) => bigint = (row) => (row as { id: bigint }).id,
): DataLoader<bigint, Row | null, string> {
  return new DataLoader<bigint, Row | null, string>(async (ids) => {
    const found = new Map((await findMany([...ids])).map((row) => [keyOf(row), row]));
    return ids.map((id) => found.get(id) ?? null);
  }, bigintKeys);
}

/**
 * A per-request loader of the rows that belong to each key (a job's skills, an application's
 * history): one query per batch, its rows grouped by `keyOf` in the order the query returned them.
 */
export function createGroupedLoader<Row, Value = Row[]>(
  findMany: (ids: bigint[]) => Promise<Row[]>,
  keyOf: (row: Row) => bigint,
  shape: (rows: Row[]) => Value = (rows) => rows as Value,
): DataLoader<bigint, Value, string> {
  return new DataLoader<bigint, Value, string>(async (ids) => {
    const groups = groupBy(await findMany([...ids]), keyOf);
    return ids.map((id) => shape(groups.get(id) ?? []));
  }, bigintKeys);
}

/** Rows grouped by a bigint key, in their order, in one pass. */
export function groupBy<T>(rows: Iterable<T>, key: (row: T) => bigint): Map<bigint, T[]> {
  const groups = new Map<bigint, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** Runs `load` at most once (per request, when made per request); later calls share its promise. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= load());
}
