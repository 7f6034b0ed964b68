import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphDefinition } from '@jobplatform/service-runtime';
import { createLoaders, type SearchContext } from './context.js';
import type { SearchDb } from './db.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createItemService, type ItemService } from './items.js';
import { resolvers } from './resolvers/index.js';
import { eraseUserFromSearch } from './user-erasure.js';

/** The search rules without the HTTP server: what the service, scripts and tests share. */
export type SearchDomain = { db: SearchDb; items: ItemService };

/**
 * The search subgraph. A change that others need to hear of also writes its event to search_db's
 * outbox in the same transaction; the relay publishes them (SEARCH).
 * Consumers, one set per replica of the service:
 * - search-user-erasure is search's part of the account-erasure saga (user-erasure.ts).
 */
export const searchSubgraph: SubgraphDefinition<SearchDb, SearchDomain, SearchContext> = {
  name: 'search',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, now }) => ({ db, items: createItemService({ db, now }) }),
  createContext: (base, domain) => ({ ...base, ...domain, loaders: createLoaders(domain.db) }),
  events: {
    consumers: (_domain, { logger, now }) => [
      {
        purpose: 'user-erasure',
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            const summary = await eraseUserFromSearch(tx, event, { traceparent: context.traceparent, now: now() });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: search part applied, committing with its batch');
          },
        },
      },
    ],
  },
};
