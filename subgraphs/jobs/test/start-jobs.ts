import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { createLogger } from '@jobplatform/config';
import { createTestDatabase, postGraphQL, type TestDatabase } from '@jobplatform/testing';
import { registerAccount, startUsersForTest, type UsersUnderTest } from '../../users/test/start-users.js';
import { startGateway, type RunningGateway } from '../../../gateway/src/server.js';
import type { GatewayEnv } from '../../../gateway/src/env.js';
import { startJobsService, type JobsService } from '../src/server.js';
import type { JobEvent, JobEventSink } from '../src/job-events.js';

type Gql = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string> }) => ReturnType<typeof postGraphQL<T>>;

export type JobsUnderTest = {
  service: JobsService;
  db: TestDatabase;
  /** Events the service recorded, in order. */
  events: JobEvent[];
  /** SQL statements sent by the service's Prisma client since the last reset. */
  statements: string[];
  gql: Gql;
  close(): Promise<void>;
};

/** Starts the jobs subgraph on a free port over a fresh, migrated database. */
export async function startJobsForTest(options: { jwksUrl: string; now?: () => Date }): Promise<JobsUnderTest> {
  const db = await createTestDatabase('jobs');
  const events: JobEvent[] = [];
  const statements: string[] = [];
  const sink: JobEventSink = {
    async record(_tx, event) {
      events.push(event);
    },
  };
  const service = await startJobsService(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JOBS_HOST: '127.0.0.1',
      JOBS_PORT: 0,
      JOBS_DATABASE_URL: db.url,
      JWKS_URL: options.jwksUrl,
      JOBS_DATABASE_POOL_SIZE: 10,
    },
    { events: sink, logger: createLogger('jobs', 'silent'), onQuery: (event) => statements.push(event.query), ...(options.now ? { now: options.now } : {}) },
  );
  return {
    service,
    db,
    events,
    statements,
    gql: (query, variables, opts) => postGraphQL(service.url, { query, ...(variables ? { variables } : {}) }, opts ?? {}),
    async close() {
      await service.close();
      await db.drop();
    },
  };
}

const sdlOf = (relative: string) => parse(readFileSync(new URL(relative, import.meta.url), 'utf8'));

/** The supergraph of users and jobs, composed the way `npm run compose` does. */
export function composeUsersAndJobs(urls: { users: string; jobs: string }): string {
  const result = composeServices([
    { name: 'users', url: urls.users, typeDefs: sdlOf('../../users/src/schema.graphql') },
    { name: 'jobs', url: urls.jobs, typeDefs: sdlOf('../src/schema.graphql') },
  ]);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl;
}

export type Account = { id: string; accessToken: string };

export type PlatformUnderTest = {
  users: UsersUnderTest;
  jobs: JobsUnderTest;
  gateway: RunningGateway;
  /** Through the gateway, as a client sends it. */
  gql: Gql;
  employer(): Promise<Account>;
  jobSeeker(): Promise<Account>;
  admin(): Promise<Account>;
  close(): Promise<void>;
};

let adminCounter = 0;

/** The real users and jobs subgraphs behind the real gateway. */
export async function startPlatformForTest(options: { now?: () => Date } = {}): Promise<PlatformUnderTest> {
  const users = await startUsersForTest();
  const jobs = await startJobsForTest({ jwksUrl: users.service.jwksUrl, ...(options.now ? { now: options.now } : {}) });
  const env: GatewayEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: 0,
    JWKS_URL: users.service.jwksUrl,
    GATEWAY_BODY_LIMIT: '100kb',
    GATEWAY_MAX_DEPTH: 12,
    GATEWAY_MAX_ALIASES: 30,
    GATEWAY_MAX_COST: 20_000,
    GATEWAY_TRUSTED_PROXIES: 0,
    subgraphUrls: { users: users.service.url, jobs: jobs.service.url },
  };
  const gateway = await startGateway(env, {
    supergraphSdl: composeUsersAndJobs({ users: users.service.url, jobs: jobs.service.url }),
    logger: createLogger('gateway', 'silent'),
  });
  const account = async (userType: 'EMPLOYER' | 'JOB_SEEKER') => {
    const { id, accessToken } = await registerAccount(users, { userType });
    return { id, accessToken };
  };
  return {
    users,
    jobs,
    gateway,
    gql: (query, variables, opts) => postGraphQL(gateway.url, { query, ...(variables ? { variables } : {}) }, opts ?? {}),
    employer: () => account('EMPLOYER'),
    jobSeeker: () => account('JOB_SEEKER'),
    async admin() {
      adminCounter += 1;
      const tag = `${Date.now().toString(36)}${adminCounter}`;
      const input = { username: `admin_${tag}`, email: `admin_${tag}@example.com`, password: 'admin password 123' };
      const user = await users.service.accounts.createAdmin(input, { clientIp: undefined, userAgent: 'test' });
      const signedIn = await users.service.accounts.login(input.email, input.password, { clientIp: '127.0.0.1', userAgent: 'test' });
      return { id: user.id.toString(), accessToken: signedIn.accessToken };
    },
    async close() {
      await gateway.close();
      await jobs.close();
      await users.close();
    },
  };
}
