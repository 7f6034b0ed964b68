import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { createTokenVerifier, type TokenVerifier } from '@jobplatform/auth';
import { createLogger, type Logger } from '@jobplatform/config';
import { startGraphQLService, type RunningService } from '@jobplatform/service-runtime';
import { createCategoryService, type CategoryService } from './categories.js';
import { createCompanyService, type CompanyService } from './companies.js';
import { createLoaders, type JobsContext } from './context.js';
import { createJobsDb, type JobsDb, type JobsDbOptions } from './db.js';
import type { JobsEnv } from './env.js';
import { createLoggingEventSink, type JobEventSink } from './job-events.js';
import { createJobPostingService, type JobPostingService } from './job-postings.js';
import { resolvers } from './resolvers/index.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export type JobsServiceOverrides = {
  logger?: Logger;
  events?: JobEventSink;
  verifyToken?: TokenVerifier;
  now?: () => Date;
  /** Sees every SQL statement (tests count them). */
  onQuery?: JobsDbOptions['onQuery'];
};

/** The jobs rules without the HTTP server: what the service, the seed script and tests share. */
export type JobsDomain = { db: JobsDb; companies: CompanyService; postings: JobPostingService; categories: CategoryService };

export function createJobsDomain(databaseUrl: string, events: JobEventSink, options: { poolSize?: number; now?: () => Date; onQuery?: JobsDbOptions['onQuery'] } = {}): JobsDomain {
  const db = createJobsDb(databaseUrl, { ...(options.poolSize ? { poolSize: options.poolSize } : {}), ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const clock = options.now ? { now: options.now } : {};
  return {
    db,
    companies: createCompanyService({ db, events, ...clock }),
    postings: createJobPostingService({ db, events, ...clock }),
    categories: createCategoryService(db),
  };
}

export type JobsService = RunningService & JobsDomain;

/** Builds and starts the jobs subgraph; index.ts runs it, tests start it on port 0. */
export async function startJobsService(env: JobsEnv, overrides: JobsServiceOverrides = {}): Promise<JobsService> {
  const logger = overrides.logger ?? createLogger('jobs', env.LOG_LEVEL);
  const events = overrides.events ?? createLoggingEventSink(logger);
  const domain = createJobsDomain(env.JOBS_DATABASE_URL, events, {
    poolSize: env.JOBS_DATABASE_POOL_SIZE,
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.onQuery ? { onQuery: overrides.onQuery } : {}),
  });
  const { db } = domain;

  const service = await startGraphQLService<JobsContext>({
    name: 'jobs',
    // The generated resolver types are stricter than @apollo/subgraph's resolver map.
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    host: env.JOBS_HOST,
    port: env.JOBS_PORT,
    logger,
    verifyToken: overrides.verifyToken ?? createTokenVerifier({ jwksUrl: env.JWKS_URL }),
    introspection: env.NODE_ENV !== 'production',
    extendContext: (base) => ({ ...base, ...domain, loaders: createLoaders(db, base.viewer?.userId) }),
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
  });

  return {
    ...service,
    ...domain,
    close: async () => {
      await service.close();
      await db.$disconnect();
    },
  };
}
