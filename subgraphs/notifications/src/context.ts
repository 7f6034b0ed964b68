import type DataLoader from 'dataloader';
import { createByIdLoader, statement, type LeanSql, type RequestContext } from '@jobplatform/service-runtime';
import type { NotificationRow } from './db.js';
import { notificationColumns } from './inbox.js';
import type { NotificationsDomain } from './server.js';

export type NotificationsLoaders = {
  notificationById: DataLoader<bigint, NotificationRow | null, string>;
};

export type NotificationsContext = RequestContext & NotificationsDomain & { loaders: NotificationsLoaders };

/**
 * Per-request loaders: entity references batch into one statement, over node-postgres (each live
 * notification a subscriber receives is read through here, as that subscriber).
 */
export function createLoaders(sql: LeanSql): NotificationsLoaders {
  return {
    notificationById: createByIdLoader((ids) => sql.rows<NotificationRow>(statement`SELECT ${notificationColumns} FROM notifications n WHERE n.id = ANY(${ids}::bigint[])`)),
  };
}
