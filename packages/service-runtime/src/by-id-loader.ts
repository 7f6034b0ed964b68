import DataLoader from 'dataloader';

/**
 * A per-request loader of rows by primary key: the loads of one tick become one query for their
 * ids (`findMany`, up to 500 ids at a time), and an id without a row loads null.
 */
export function createByIdLoader<Row extends { id: bigint }>(findMany: (ids: bigint[]) => Promise<Row[]>): DataLoader<bigint, Row | null, string> {
  return new DataLoader<bigint, Row | null, string>(
    async (ids) => {
      const found = new Map((await findMany([...ids])).map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { cacheKeyFn: (id) => id.toString(), maxBatchSize: 500 },
  );
}
