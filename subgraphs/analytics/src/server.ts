import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { Logger } from '@jobplatform/config';
import { companyMemberReplicaHandlers } from '@jobplatform/events';
import { openSubgraphDomain, startSubgraph, type LeanSql, type PartSpec, type StartSubgraphOptions, type SubgraphDefinition, type SubgraphEnv } from '@jobplatform/service-runtime';
import { analyticsSettings, type AnalyticsSettings } from './analytics-settings.js';
import type { AnalyticsContext } from './context.js';
import type { AnalyticsDb } from './db.js';
import { createEventBuffer, type EventBuffer } from './event-buffer.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createIngestService, type IngestService } from './ingest.js';
import { createPartitionKeeper, type PartitionKeeper } from './partitions.js';
import { jobReplicaTable, platformEventBatchHandler } from './platform-events.js';
import { createRateLimiter } from './rate-limit.js';
import { resolvers } from './resolvers/index.js';
import { createStatisticsLoaders, createStatisticsService, type StatisticsService } from './statistics.js';
import { eraseUserFromAnalytics } from './user-erasure.js';
import { sweepViewSessions } from './view-dedup.js';

/** The analytics rules without the HTTP server: what the service, scripts and tests share. */
export type AnalyticsDomain = {
  db: AnalyticsDb;
  /** node-postgres on db's pool, for the hottest read (a job's statistics). */
  sql: LeanSql;
  buffer: EventBuffer;
  partitions: PartitionKeeper;
  ingest: IngestService;
  statistics: StatisticsService;
};

/** Writes the buffer every interval (sooner when a batch is full), and all of it when stopping. */
function eventBufferPart(buffer: EventBuffer, intervalMs: number, logger: Logger): PartSpec {
  return {
    name: 'event buffer',
    async start() {
      const flush = () =>
        buffer.flush().catch((error: unknown) => logger.error({ err: error, buffered: buffer.size }, 'writing buffered analytics events failed; kept for the next flush'));
      const timer = setInterval(flush, intervalMs);
      const eager = setInterval(() => (buffer.hasFullBatch ? flush() : undefined), Math.max(5, Math.floor(intervalMs / 10)));
      timer.unref();
      eager.unref();
      return {
        // HTTP has stopped taking calls by now (it started last, so it stops first): nothing accepted is left behind.
        async stop() {
          clearInterval(timer);
          clearInterval(eager);
          await buffer.flush();
        },
      };
    },
  };
}

/**
 * The analytics subgraph: client events (trackEvent, trackEvents) buffered and written in batches
 * into analytics_events (monthly partitions), platform events from the other services, daily
 * rollups kept up to date by both, and the statistics read from the rollups. Consumers, one set per
 * replica of the service:
 * - analytics-jobs-replica keeps job_replicas (whose a job is, when it was open) from jobs.job.*;
 * - analytics-company-members keeps company_member_replicas (who may see a company's jobs' statistics);
 * - analytics-platform-events records users', jobs', applications' and search's facts and their rollups;
 * - analytics-user-erasure is analytics's part of the account-erasure saga (user-erasure.ts).
 */
export const analyticsSubgraph: SubgraphDefinition<AnalyticsDb, AnalyticsDomain, AnalyticsContext, AnalyticsSettings> = {
  name: 'analytics',
  env: analyticsSettings,
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, sql, env, metrics, now }) => {
    const settings = env.own;
    const partitions = createPartitionKeeper({ retentionMonths: settings.ANALYTICS_RETENTION_MONTHS, monthsAhead: settings.ANALYTICS_PARTITIONS_AHEAD });
    const buffer = createEventBuffer({ db, partitions, batchSize: settings.ANALYTICS_FLUSH_BATCH_SIZE, limit: settings.ANALYTICS_BUFFER_LIMIT, registry: metrics.registry });
    const rateLimiter = createRateLimiter(
      { perSession: settings.ANALYTICS_RATE_LIMIT_PER_SESSION, perAddress: settings.ANALYTICS_RATE_LIMIT_PER_ADDRESS, windowMs: settings.ANALYTICS_RATE_WINDOW_MS },
      now,
    );
    return { db, sql, buffer, partitions, ingest: createIngestService({ db, buffer, rateLimiter, now }), statistics: createStatisticsService({ db }) };
  },
  createContext: (base, domain) => ({ ...base, ...domain, loaders: createStatisticsLoaders(domain.sql, base.viewer) }),
  events: {
    replicas: { 'jobs-replica': jobReplicaTable },
    consumers: (domain, { logger, now }) => [
      { purpose: 'company-members', handlers: companyMemberReplicaHandlers },
      // Every application, job and registration event of the platform passes here. A batch's events
      // are written as a set, and over node-postgres: through Prisma's client, one event at a time,
      // they took a third of analytics' CPU while applications events arrived at 1,000 a second.
      { purpose: 'platform-events', batchHandler: platformEventBatchHandler(domain.partitions), leanTransaction: true },
      {
        purpose: 'user-erasure',
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            // Events of the user still in the buffer are written first, so that the erasure finds them.
            await domain.buffer.flush();
            const summary = await eraseUserFromAnalytics(tx, event, { traceparent: context.traceparent, now: now() });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: analytics part applied, committing with its batch');
          },
        },
      },
    ],
  },
  parts: (domain, { env, logger, now }) => [
    {
      name: 'partition maintenance',
      async start() {
        const maintain = async () => {
          // Prisma's defaults (2 s to get a connection, 5 s to finish) made the service exit at start
          // on a busy machine, where its first connection took longer; nothing waits on this work.
          await domain.db.$transaction(
            async (tx) => {
              await domain.partitions.makeAhead(tx, now());
              const dropped = await domain.partitions.dropExpired(tx, now());
              if (dropped.length > 0) logger.info({ dropped }, 'analytics_events partitions past retention dropped');
              await sweepViewSessions(tx, now());
            },
            { maxWait: 30_000, timeout: 60_000 },
          );
        };
        // The months ahead exist before the first event is accepted.
        await maintain();
        const timer = setInterval(
          () => maintain().catch((error: unknown) => logger.error({ err: error }, 'analytics partition maintenance failed')),
          env.own.ANALYTICS_MAINTENANCE_INTERVAL_MS,
        );
        timer.unref();
        return { stop: () => clearInterval(timer) };
      },
    },
    eventBufferPart(domain.buffer, env.own.ANALYTICS_FLUSH_INTERVAL_MS, logger),
  ],
};

/** Builds and starts the analytics subgraph; index.ts runs it, tests start it on port 0. */
export function startAnalyticsService(env: SubgraphEnv<AnalyticsSettings>, options: StartSubgraphOptions<never> = {}) {
  return startSubgraph(analyticsSubgraph, env, options);
}

/** The analytics domain over its database, without HTTP or NATS (rollup repair, seed). */
export function openAnalyticsDomain(env: SubgraphEnv<AnalyticsSettings>, options: StartSubgraphOptions<never> = {}) {
  return openSubgraphDomain(analyticsSubgraph, env, options);
}
