import DataLoader from 'dataloader';

/**
 * The rows of many applications, loaded once per request in one query per batch: the loader of a
 * request is kept beside an object of that request (`requestKey`: its context's `loaders`, which
 * every operation's copy of the context shares) and goes with it.
 */
export function perRequestListLoader<Row>(
  loadRows: (applicationIds: bigint[]) => Promise<(Row | null)[]>,
  applicationIdOf: (row: Row) => bigint,
): (requestKey: object) => DataLoader<bigint, Row[], string> {
  const loaders = new WeakMap<object, DataLoader<bigint, Row[], string>>();
  const load = async (applicationIds: readonly bigint[]) => {
    const groups = new Map<bigint, Row[]>();
    for (const row of await loadRows([...applicationIds])) {
      if (row === null) continue;
      const id = applicationIdOf(row);
      const group = groups.get(id);
      if (group) group.push(row);
      else groups.set(id, [row]);
    }
    return applicationIds.map((id) => groups.get(id) ?? []);
  };
  return (requestKey) => {
    let loader = loaders.get(requestKey);
    if (!loader) {
      loader = new DataLoader(load, { cacheKeyFn: (id) => id.toString(), maxBatchSize: 500 });
      loaders.set(requestKey, loader);
    }
    return loader;
  };
}
