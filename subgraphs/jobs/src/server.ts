import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { createTokenVerifier, type TokenVerifier } from '@jobplatform/auth';
import { createLogger, type Logger } from '@jobplatform/config';
import { createMetrics, startGraphQLService, type RunningService } from '@jobplatform/service-runtime';
import { createCategoryService, type CategoryService } from './categories.js';
import { createCompanyService, type CompanyService } from './companies.js';
import { createLoaders, type JobsContext } from './context.js';
import { createJobsDb, type JobsDb, type JobsDbOptions } from './db.js';
import type { JobsEnv } from './env.js';
import { startJobsEvents, type JobsEvents } from './events.js';
import { createJobPostingService, type JobPostingService } from './job-postings.js';
import { resolvers } from './resolvers/index.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export type JobsServiceOverrides = {
  logger?: Logger;
  verifyToken?: TokenVerifier;
  now?: () => Date;
  /** Sees every SQL statement (tests count them). */
  onQuery?: JobsDbOptions['onQuery'];
};

/** The jobs rules without the HTTP server: what the service, the seed script and tests share. */
export type JobsDomain = { db: JobsDb; companies: CompanyService; postings: JobPostingService; categories: CategoryService };

/** Every change also writes its event to jobs_db's outbox; whoever runs the relay publishes them. */
export function createJobsDomain(databaseUrl: string, options: { poolSize?: number; now?: () => Date; onQuery?: JobsDbOptions['onQuery'] } = {}): JobsDomain {
  const db = createJobsDb(databaseUrl, { ...(options.poolSize ? { poolSize: options.poolSize } : {}), ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const clock = options.now ? { now: options.now } : {};
  return {
    db,
    companies: createCompanyService({ db, ...clock }),
    postings: createJobPostingService({ db, ...clock }),
    categories: createCategoryService(db),
  };
}

export type JobsService = RunningService & JobsDomain & { events: JobsEvents };

/** Builds and starts the jobs subgraph; index.ts runs it, tests start it on port 0. */
export async function startJobsService(env: JobsEnv, overrides: JobsServiceOverrides = {}): Promise<JobsService> {
  const logger = overrides.logger ?? createLogger('jobs', env.LOG_LEVEL);
  const domain = createJobsDomain(env.JOBS_DATABASE_URL, {
    poolSize: env.JOBS_DATABASE_POOL_SIZE,
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.onQuery ? { onQuery: overrides.onQuery } : {}),
  });
  const { db } = domain;
  const now = overrides.now ?? (() => new Date());
  const metrics = createMetrics('jobs');
  let events: JobsEvents | undefined;
  let service: RunningService;
  try {
    events = await startJobsEvents({ natsUrl: env.NATS_URL, databaseUrl: env.JOBS_DATABASE_URL, db, logger, now, registry: metrics.registry });
    service = await startGraphQLService<JobsContext>({
      name: 'jobs',
      // The generated resolver types are stricter than @apollo/subgraph's resolver map.
      schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
      host: env.JOBS_HOST,
      port: env.JOBS_PORT,
      logger,
      verifyToken: overrides.verifyToken ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
      introspection: env.NODE_ENV !== 'production',
      extendContext: (base) => ({ ...base, ...domain, loaders: createLoaders(db, base.viewer?.userId) }),
      // Not NATS: while it is away, changes still commit with their events to the outbox
      // (the gauge event_backbone_connected on /metrics tells).
      readiness: async () => {
        await db.$queryRaw`SELECT 1`;
      },
      metrics,
    });
  } catch (error) {
    await events?.stop().catch(() => undefined);
    await db.$disconnect();
    throw error;
  }
  const startedEvents = events;

  return {
    ...service,
    ...domain,
    events: startedEvents,
    // No new requests first, then no new events in or out, then the database.
    close: async () => {
      await service.close();
      await startedEvents.stop();
      await db.$disconnect();
    },
  };
}
