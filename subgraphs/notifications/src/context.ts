import type DataLoader from 'dataloader';
import { createByIdLoader, type RequestContext } from '@jobplatform/service-runtime';
import type { NotificationRow, NotificationsDb } from './db.js';
import type { NotificationsDomain } from './server.js';

export type NotificationsLoaders = {
  notificationById: DataLoader<bigint, NotificationRow | null, string>;
};

export type NotificationsContext = RequestContext & NotificationsDomain & { loaders: NotificationsLoaders };

/** Per-request loaders: entity references batch into one query. */
export function createLoaders(db: NotificationsDb): NotificationsLoaders {
  return {
    notificationById: createByIdLoader((ids) => db.notification.findMany({ where: { id: { in: ids } } })),
  };
}
