import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Logger } from '@jobplatform/config';
import type { MailCatcher } from '@jobplatform/mail/catcher';
import {
  gatewayEnvFor as gatewayEnvWith,
  gatewayNatsEnv,
  startPlatformForTest as startPlatform,
  type PlatformUnderTest as Platform,
  type SubgraphUnderTest,
} from '@jobplatform/testing';
import { startTestMailCatcher } from '../../subgraphs/users/test/start-users.js';
import type { GatewayEnv } from '../src/env.js';

export type PlatformUnderTest = Platform & {
  users: SubgraphUnderTest & {
    /** The users service's signing key, so tests can forge tokens with a valid signature. */
    privateKey: KeyObject;
    jwksUrl: string;
  };
  jobs: SubgraphUnderTest;
  /** The SMTP server users sends its verification and reset mails to: tests read tokens from them. */
  mail: MailCatcher;
};

/** Gateway settings as in production, routing every subgraph to the one under test. */
export function gatewayEnvFor(platform: Pick<PlatformUnderTest, 'users' | 'services' | 'nats'>, overrides: Partial<GatewayEnv> = {}): GatewayEnv {
  const urls = Object.fromEntries(Object.entries(platform.services).map(([name, service]) => [name, service.service.url]));
  return gatewayEnvWith(platform.users.jwksUrl, urls, { ...gatewayNatsEnv(platform.nats), ...overrides });
}

/** Every subgraph of the registry, running for real behind the real gateway, users' mail going to a catcher. */
export async function startPlatformForTest(options: { usersLogger?: Logger; gateway?: Partial<GatewayEnv> } = {}): Promise<PlatformUnderTest> {
  const mail = await startTestMailCatcher();
  let platform: Platform;
  try {
    platform = await startPlatform({
      ...(options.usersLogger ? { loggers: { users: options.usersLogger } } : {}),
      ...(options.gateway ? { gateway: options.gateway } : {}),
      env: { users: { SMTP_URL: mail.url } },
    });
  } catch (error) {
    await mail.stop();
    throw error;
  }
  const users = platform.service('users');
  return {
    ...platform,
    users: { ...users, privateKey: createPrivateKey(users.env.own.JWT_PRIVATE_KEY), jwksUrl: users.service.url.replace(/\/graphql$/, '/.well-known/jwks.json') },
    jobs: platform.service('jobs'),
    mail,
    async close() {
      await platform.close();
      await mail.stop();
    },
  };
}
