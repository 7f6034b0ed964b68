import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { userReplicaTable } from '@jobplatform/events';
import type { SubgraphDefinition } from '@jobplatform/service-runtime';
import { createLoaders, type NotificationsContext } from './context.js';
import type { NotificationsDb } from './db.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createItemService, type ItemService } from './items.js';
import { resolvers } from './resolvers/index.js';
import { eraseUserFromNotifications } from './user-erasure.js';

/** The notifications rules without the HTTP server: what the service, scripts and tests share. */
export type NotificationsDomain = { db: NotificationsDb; items: ItemService };

/**
 * The notifications subgraph. A change that others need to hear of also writes its event to notifications_db's
 * outbox in the same transaction; the relay publishes them (NOTIFICATIONS).
 * Consumers, one set per replica of the service:
 * - notifications-users-replica keeps user_replicas from users.user.registered/updated/deleted.v1;
 * - notifications-user-erasure is notifications's part of the account-erasure saga (user-erasure.ts).
 */
export const notificationsSubgraph: SubgraphDefinition<NotificationsDb, NotificationsDomain, NotificationsContext> = {
  name: 'notifications',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, now }) => ({ db, items: createItemService({ db, now }) }),
  createContext: (base, domain) => ({ ...base, ...domain, loaders: createLoaders(domain.db) }),
  events: {
    replicas: { 'users-replica': userReplicaTable },
    consumers: (_domain, { logger, now }) => [
      {
        purpose: 'user-erasure',
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            const summary = await eraseUserFromNotifications(tx, event, { traceparent: context.traceparent, now: now() });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: notifications part applied, committing with its batch');
          },
        },
      },
    ],
  },
};
