import { startUsersForTest, type UsersUnderTest } from '../../subgraphs/users/test/start-users.js';
import { startJobsForTest, type JobsUnderTest } from '../../subgraphs/jobs/test/start-jobs.js';
import { createLogger, type Logger } from '@jobplatform/config';
import { postGraphQL } from '@jobplatform/testing';
import type { GatewayEnv } from '../src/env.js';
import { startGateway, type RunningGateway } from '../src/server.js';

export type PlatformUnderTest = {
  users: UsersUnderTest;
  jobs: JobsUnderTest;
  gateway: RunningGateway;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string>; operationName?: string }): ReturnType<typeof postGraphQL<T>>;
  close(): Promise<void>;
};

/** Gateway settings as in production, routing every subgraph of the supergraph to the one under test. */
export function gatewayEnvFor(platform: Pick<PlatformUnderTest, 'users' | 'jobs'>, overrides: Partial<GatewayEnv> = {}): GatewayEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: 0,
    JWKS_URL: platform.users.service.jwksUrl,
    GATEWAY_BODY_LIMIT: '100kb',
    GATEWAY_MAX_DEPTH: 12,
    GATEWAY_MAX_ALIASES: 30,
    GATEWAY_MAX_COST: 20_000,
    GATEWAY_TRUSTED_PROXIES: 0,
    subgraphUrls: { users: platform.users.service.url, jobs: platform.jobs.service.url },
    ...overrides,
  };
}

/** Every subgraph of the checked-in supergraph, running for real behind the real gateway. */
export async function startPlatformForTest(options: { usersLogger?: Logger; gateway?: Partial<GatewayEnv> } = {}): Promise<PlatformUnderTest> {
  const users = await startUsersForTest(options.usersLogger ? { logger: options.usersLogger } : {});
  const jobs = await startJobsForTest({ jwksUrl: users.service.jwksUrl });
  const gateway = await startGateway(gatewayEnvFor({ users, jobs }, options.gateway), { logger: createLogger('gateway', 'silent') });
  return {
    users,
    jobs,
    gateway,
    gql: (query, variables, opts = {}) =>
      postGraphQL(gateway.url, { query, ...(variables ? { variables } : {}), ...(opts.operationName ? { operationName: opts.operationName } : {}) }, opts),
    async close() {
      await gateway.close();
      await jobs.close();
      await users.close();
    },
  };
}
