import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { EventHandlers } from '@jobplatform/events';
import type { LeanTx, SubgraphDefinition } from '@jobplatform/service-runtime';
import type { SearchContext } from './context.js';
import { rawSqlOver, type SearchDb } from './db.js';
import { searchSettings, type SearchSettings } from './env.js';
import { PrismaClient } from './generated/prisma/client.js';
import { indexCompany, indexJob, type CompanyEvent, type JobEvent } from './job-index.js';
import { warmUpJobSearch } from './job-search.js';
import { createJobTextIndex, jobTextIndexPart, type JobTextIndex } from './job-text-index.js';
import { resolvers } from './resolvers/index.js';
import { digestSchedulerPart } from './saved-search-digests.js';
import { createSavedSearchMatcher, savedSearchMatcherPart, type SavedSearchMatcher } from './saved-search-matcher.js';
import { createSavedSearches, type SavedSearches } from './saved-searches.js';
import { createSearchLog, type SearchLog } from './search-log.js';
import { createSearchService, type SearchService } from './search-service.js';
import { eraseUserFromSearch } from './user-erasure.js';

/** The search rules without the HTTP server: what the service, scripts and tests share. */
export type SearchDomain = {
  db: SearchDb;
  search: SearchService;
  /** Undefined when SEARCH_JOBS_IN_MEMORY is false. */
  jobTextIndex: JobTextIndex | undefined;
  savedSearches: SavedSearches;
  savedSearchMatcher: SavedSearchMatcher;
  searchLog: SearchLog;
};

/**
 * The search subgraph: the read model of jobs and companies for discovery (CQRS: jobs is the write
 * model), search history and analytics, saved searches and their alerts. Consumers, one set per
 * replica of the service:
 * - search-job-index keeps search_indexes from jobs.job.* and jobs.company.*, and matches each new
 *   job against the saved searches this process holds in memory (saved-search-matcher.ts; INSTANT
 *   alerts written to the outbox in the same transaction);
 * - search-user-erasure is search's part of the account-erasure saga (user-erasure.ts).
 * searchJobs is answered from the open jobs held in memory (job-text-index.ts), read again from
 * search_indexes as it changes. The outbox relay publishes search.search.performed.v1 and search.saved_search.matched.v1 (SEARCH);
 * the digest scheduler sends DAILY and WEEKLY alerts; the search log writes the searches in batches.
 */
export const searchSubgraph: SubgraphDefinition<SearchDb, SearchDomain, SearchContext, SearchSettings> = {
  name: 'search',
  env: searchSettings,
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, sql, now, env, logger, metrics }) => {
    const searchLog = createSearchLog({ sql, logger, flushIntervalMs: env.own.SEARCH_LOG_FLUSH_MS });
    const jobTextIndex = env.own.SEARCH_JOBS_IN_MEMORY ? createJobTextIndex({ sql, logger, registry: metrics.registry }) : undefined;
    return {
      db,
      searchLog,
      jobTextIndex,
      search: createSearchService({
        db,
        sql,
        searchLog,
        now,
        popularMinUsers: env.own.SEARCH_POPULAR_MIN_USERS,
        concurrentQueries: env.own.SEARCH_CONCURRENT_QUERIES,
        jobTextIndex,
      }),
      savedSearches: createSavedSearches({ db, now }),
      savedSearchMatcher: createSavedSearchMatcher({ sql, logger }),
    };
  },
  createContext: (base, domain) => ({ ...base, ...domain }),
  warmUp: (connection) => warmUpJobSearch(connection, new Date()),
  databaseSettings: (own) => ({ work_mem: own.SEARCH_WORK_MEM }),
  events: {
    consumers: (domain, { logger, now }) => {
      // The job index runs on node-postgres (leanTransaction), its statements through rawSqlOver.
      const onJob = async (event: JobEvent, lean: LeanTx, context: { traceparent: string }) => {
        const tx = rawSqlOver(lean);
        const indexed = await indexJob(tx, event.data.job, { version: Date.parse(event.occurredAt), deleted: event.type === 'jobs.job.deleted.v1' });
        if (event.type === 'jobs.job.created.v1' && indexed.applied && indexed.active) {
          const matched = await domain.savedSearchMatcher.match(tx, event.data.job.id, { now: now(), traceparent: context.traceparent });
          if (matched.matched > 0) logger.debug({ jobId: event.data.job.id, ...matched }, 'new job matched saved searches');
        }
      };
      const onCompany = async (event: CompanyEvent, lean: LeanTx) => {
        await indexCompany(rawSqlOver(lean), event.data.company, { version: Date.parse(event.occurredAt) });
      };
      return [
        {
          purpose: 'job-index',
          leanTransaction: true,
          handlers: {
            'jobs.job.created.v1': onJob,
            'jobs.job.updated.v1': onJob,
            'jobs.job.closed.v1': onJob,
            'jobs.job.deleted.v1': onJob,
            'jobs.company.created.v1': onCompany,
            'jobs.company.updated.v1': onCompany,
          } as EventHandlers<LeanTx>,
        },
        {
          purpose: 'user-erasure',
          handlers: {
            'users.user.deleted.v1': async (event, tx, context) => {
              // Searches this process still holds are written first, so that none of the user's comes back after the erasure
              // (another replica writes what it holds within SEARCH_LOG_FLUSH_MS, normally before the event reaches any consumer).
              await domain.searchLog.flush();
              const summary = await eraseUserFromSearch(tx, event, { traceparent: context.traceparent, now: now() });
              logger.info({ userId: event.data.userId, ...summary }, 'user erasure: search part applied, committing with its batch');
            },
          },
        },
      ];
    },
  },
  parts: ({ db, searchLog, savedSearchMatcher, jobTextIndex }, { env, logger, now }) => [
    savedSearchMatcherPart(savedSearchMatcher, logger),
    ...(jobTextIndex ? [jobTextIndexPart(jobTextIndex, logger)] : []),
    // Stopped after HTTP has closed: the searches it still holds are written before the pool closes.
    { name: 'search-log', start: async () => ({ stop: () => searchLog.stop() }) },
    digestSchedulerPart(db, { intervalMs: env.own.SEARCH_DIGEST_INTERVAL_MS, now, logger }),
  ],
  testEnv: () => ({ SEARCH_DIGEST_INTERVAL_MS: '100' }),
};
