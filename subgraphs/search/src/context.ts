import DataLoader from 'dataloader';
import { createByIdLoader, type RequestContext } from '@jobplatform/service-runtime';
import type { SearchDb, SearchItemRow } from './db.js';
import type { SearchDomain } from './server.js';

export type SearchLoaders = {
  itemById: DataLoader<bigint, SearchItemRow | null, string>;
  itemsByOwnerId: DataLoader<bigint, SearchItemRow[], string>;
};

export type SearchContext = RequestContext & SearchDomain & { loaders: SearchLoaders };

/** Per-request loaders: the entity references and list fields of one request batch into one query each. */
export function createLoaders(db: SearchDb): SearchLoaders {
  return {
    itemById: createByIdLoader((ids) => db.searchItem.findMany({ where: { id: { in: ids } } })),
    // Every item of each owner: a list that can grow long takes first/after instead (service-runtime's connections).
    itemsByOwnerId: new DataLoader<bigint, SearchItemRow[], string>(
      async (ownerIds) => {
        const rows = await db.searchItem.findMany({ where: { ownerId: { in: [...ownerIds] } }, orderBy: { id: 'desc' } });
        const byOwner = new Map<bigint, SearchItemRow[]>(ownerIds.map((id) => [id, []]));
        for (const row of rows) byOwner.get(row.ownerId)?.push(row);
        return ownerIds.map((id) => byOwner.get(id) ?? []);
      },
      { cacheKeyFn: (id) => id.toString() },
    ),
  };
}
