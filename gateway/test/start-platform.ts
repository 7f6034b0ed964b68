import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Logger } from '@jobplatform/config';
import { gatewayEnvFor as gatewayEnvWith, startPlatformForTest as startPlatform, type PlatformUnderTest as Platform, type SubgraphUnderTest } from '@jobplatform/testing';
import type { GatewayEnv } from '../src/env.js';

/** A user event as users recorded it inside its transaction: tests read one-time tokens from it. */
export type RecordedUserEvent = { type: string; userId: string; token?: string };

export type PlatformUnderTest = Platform & {
  users: SubgraphUnderTest & {
    /** The users service's signing key, so tests can forge tokens with a valid signature. */
    privateKey: KeyObject;
    jwksUrl: string;
    events: RecordedUserEvent[];
  };
  jobs: SubgraphUnderTest;
};

/** Gateway settings as in production, routing every subgraph to the one under test. */
export function gatewayEnvFor(platform: Pick<PlatformUnderTest, 'users' | 'services'>, overrides: Partial<GatewayEnv> = {}): GatewayEnv {
  const urls = Object.fromEntries(Object.entries(platform.services).map(([name, service]) => [name, service.service.url]));
  return gatewayEnvWith(platform.users.jwksUrl, urls, overrides);
}

/** Every subgraph of the registry, running for real behind the real gateway. */
export async function startPlatformForTest(options: { usersLogger?: Logger; gateway?: Partial<GatewayEnv> } = {}): Promise<PlatformUnderTest> {
  const events: RecordedUserEvent[] = [];
  const eventObserver = {
    async record(_tx: unknown, event: { type: string; userId?: bigint; user?: { id: bigint }; token?: string }) {
      events.push({ type: event.type, userId: String(event.user?.id ?? event.userId), ...(event.token ? { token: event.token } : {}) });
    },
  };
  const platform = await startPlatform({
    ...(options.usersLogger ? { loggers: { users: options.usersLogger } } : {}),
    ...(options.gateway ? { gateway: options.gateway } : {}),
    overrides: { users: { eventObserver } },
  });
  const users = platform.service('users');
  return {
    ...platform,
    users: { ...users, privateKey: createPrivateKey(users.env.own.JWT_PRIVATE_KEY), jwksUrl: users.service.url.replace(/\/graphql$/, '/.well-known/jwks.json'), events },
    jobs: platform.service('jobs'),
  };
}
