import DataLoader from 'dataloader';
import { createByIdLoader, type RequestContext } from '@jobplatform/service-runtime';
import type { NotificationsDb, NotificationsItemRow } from './db.js';
import type { NotificationsDomain } from './server.js';

export type NotificationsLoaders = {
  itemById: DataLoader<bigint, NotificationsItemRow | null, string>;
  itemsByOwnerId: DataLoader<bigint, NotificationsItemRow[], string>;
};

export type NotificationsContext = RequestContext & NotificationsDomain & { loaders: NotificationsLoaders };

/** Per-request loaders: the entity references and list fields of one request batch into one query each. */
export function createLoaders(db: NotificationsDb): NotificationsLoaders {
  return {
    itemById: createByIdLoader((ids) => db.notificationsItem.findMany({ where: { id: { in: ids } } })),
    // Every item of each owner: a list that can grow long takes first/after instead (service-runtime's connections).
    itemsByOwnerId: new DataLoader<bigint, NotificationsItemRow[], string>(
      async (ownerIds) => {
        const rows = await db.notificationsItem.findMany({ where: { ownerId: { in: [...ownerIds] } }, orderBy: { id: 'desc' } });
        const byOwner = new Map<bigint, NotificationsItemRow[]>(ownerIds.map((id) => [id, []]));
        for (const row of rows) byOwner.get(row.ownerId)?.push(row);
        return ownerIds.map((id) => byOwner.get(id) ?? []);
      },
      { cacheKeyFn: (id) => id.toString() },
    ),
  };
}
