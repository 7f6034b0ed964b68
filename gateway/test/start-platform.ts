import { startUsersForTest, type UsersUnderTest } from '../../subgraphs/users/test/start-users.js';
import { createLogger, type Logger } from '@jobplatform/config';
import { postGraphQL } from '@jobplatform/testing';
import type { GatewayEnv } from '../src/env.js';
import { startGateway, type RunningGateway } from '../src/server.js';

export type PlatformUnderTest = {
  users: UsersUnderTest;
  gateway: RunningGateway;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string>; operationName?: string }): ReturnType<typeof postGraphQL<T>>;
  close(): Promise<void>;
};

export function gatewayEnvFor(users: UsersUnderTest, overrides: Partial<GatewayEnv> = {}): GatewayEnv {
  return {
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
    subgraphUrls: { users: users.service.url },
    ...overrides,
  };
}

/** The real users subgraph behind the real gateway, loading the checked-in supergraph. */
export async function startPlatformForTest(options: { usersLogger?: Logger; gateway?: Partial<GatewayEnv> } = {}): Promise<PlatformUnderTest> {
  const users = await startUsersForTest(options.usersLogger ? { logger: options.usersLogger } : {});
  const gateway = await startGateway(gatewayEnvFor(users, options.gateway), { logger: createLogger('gateway', 'silent') });
  return {
    users,
    gateway,
    gql: (query, variables, opts = {}) =>
      postGraphQL(gateway.url, { query, ...(variables ? { variables } : {}), ...(opts.operationName ? { operationName: opts.operationName } : {}) }, opts),
    async close() {
      await gateway.close();
      await users.close();
    },
  };
}
