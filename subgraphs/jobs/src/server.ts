import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { userReplicaTable } from '@jobplatform/events';
import { openSubgraphDomain, startSubgraph, type RunningSubgraph, type StartSubgraphOptions, type SubgraphDefinition, type SubgraphEnv } from '@jobplatform/service-runtime';
import { createCategoryService, type CategoryService } from './categories.js';
import { createCompanyService, type CompanyService } from './companies.js';
import { createLoaders, type JobsContext } from './context.js';
import { createLeanReads, type LeanReads } from './lean-reads.js';
import type { JobsDb } from './db.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createJobPostingService, type JobPostingService } from './job-postings.js';
import { resolvers } from './resolvers/index.js';
import { eraseUserFromJobs } from './user-erasure.js';

/** The jobs rules without the HTTP server: what the service, the seed script and tests share. */
export type JobsDomain = { db: JobsDb; reads: LeanReads; companies: CompanyService; postings: JobPostingService; categories: CategoryService };

/**
 * Erasing an employer with thousands of jobs writes an event per job in one transaction: more time
 * than Prisma's 5 s default, and JetStream must not redeliver the message meanwhile.
 */
const ERASURE_TRANSACTION_MS = 120_000;

/**
 * The jobs subgraph: companies, job postings, the category tree and skills. Every change also
 * writes its event to jobs_db's outbox in the same transaction; the relay publishes them (JOBS).
 * Consumers, one set per replica of the service:
 * - jobs-users-replica keeps user_replicas from users.user.registered/updated/deleted.v1;
 * - jobs-user-erasure is jobs' part of the account-erasure saga (user-erasure.ts).
 */
export const jobsSubgraph: SubgraphDefinition<JobsDb, JobsDomain, JobsContext> = {
  name: 'jobs',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, sql, now }) => {
    const reads = createLeanReads(sql);
    return {
      db,
      reads,
      companies: createCompanyService({ db, now }),
      postings: createJobPostingService({ db, reads, now }),
      categories: createCategoryService(db),
    };
  },
  createContext: (base, domain) => ({ ...base, ...domain, loaders: createLoaders(domain.db, domain.reads, base.viewer?.userId) }),
  events: {
    replicas: { 'users-replica': userReplicaTable },
    consumers: (_domain, { logger, now }) => [
      {
        purpose: 'user-erasure',
        transaction: { timeout: ERASURE_TRANSACTION_MS, maxWait: 10_000 },
        ackWaitMs: ERASURE_TRANSACTION_MS + 30_000,
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            const summary = await eraseUserFromJobs(tx, event, { traceparent: context.traceparent, now: now() });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: jobs part applied, committing with its batch');
          },
        },
      },
    ],
  },
};

export type JobsService = RunningSubgraph<JobsDb, JobsDomain>;

/** Builds and starts the jobs subgraph; index.ts runs it, tests start it on port 0. */
export function startJobsService(env: SubgraphEnv, options: StartSubgraphOptions<never> = {}): Promise<JobsService> {
  return startSubgraph(jobsSubgraph, env, options);
}

/** The jobs domain over its database, without HTTP or NATS (seed, statement-count tests). */
export function openJobsDomain(env: SubgraphEnv, options: StartSubgraphOptions<never> = {}) {
  return openSubgraphDomain(jobsSubgraph, env, options);
}
