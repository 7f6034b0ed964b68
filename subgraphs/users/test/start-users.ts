import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Logger } from '@jobplatform/config';
import type { EventEnvelope, EventSubject } from '@jobplatform/events';
import { readStream, startPrivateNats, startSubgraphForTest, type Gql, type PrivateNats, type SubgraphUnderTest } from '@jobplatform/testing';
import { usersSubgraph, type UsersDomain, type UsersService } from '../src/server.js';
import type { UsersDb } from '../src/db.js';
import type { UsersSettings } from '../src/env.js';
import type { UserEvent, UserEventSink } from '../src/user-events.js';
import type { LoginThrottlePolicy } from '../src/login-throttle.js';

export { waitFor } from '@jobplatform/testing';

/** An event as the service recorded it, flattened for tests: who it is about, and the token a mail would carry. */
export type RecordedUserEvent = { type: UserEvent['type']; userId: bigint; token?: string; expiresAt?: Date };

export type UsersUnderTest = Omit<SubgraphUnderTest<UsersDb, UsersDomain, UsersSettings>, 'service'> & {
  service: UsersService;
  /** The signing key, so tests can forge expired or malformed tokens with a valid signature. */
  privateKey: KeyObject;
  /** The nats-server of this test file alone; tests stop and restart it. */
  natsServer: PrivateNats;
  /**
   * Events the service recorded, in order, as they were written inside their transactions (what
   * notifications will turn into emails). streamEvents() shows what actually reached JetStream.
   */
  events: RecordedUserEvent[];
  /** Every message JetStream holds on a producer's stream, in stream order, optionally of one subject. */
  streamEvents<S extends EventSubject>(subject?: S, stream?: string): Promise<EventEnvelope<S>[]>;
  gql: Gql;
};

function flatten(event: UserEvent): RecordedUserEvent {
  if ('user' in event) return { type: event.type, userId: event.user.id, ...('token' in event ? { token: event.token, expiresAt: event.expiresAt } : {}) };
  return { type: event.type, userId: event.userId };
}

/** The users subgraph alone on a free port, over a fresh database, on a nats-server of its own. */
export async function startUsersForTest(options: { throttle?: LoginThrottlePolicy; logger?: Logger; env?: NodeJS.ProcessEnv } = {}): Promise<UsersUnderTest> {
  const natsServer = await startPrivateNats();
  const events: RecordedUserEvent[] = [];
  const eventObserver: UserEventSink = {
    async record(_tx, event) {
      events.push(flatten(event));
    },
  };
  const users = await startSubgraphForTest(usersSubgraph, {
    natsUrl: natsServer.url,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.env ? { env: options.env } : {}),
    overrides: { eventObserver, ...(options.throttle ? { throttle: options.throttle } : {}) },
  });
  return {
    ...users,
    privateKey: createPrivateKey(users.env.own.JWT_PRIVATE_KEY!),
    natsServer,
    events,
    streamEvents: (subject, stream = 'USERS') => readStream(users.nats, stream, subject),
    async close() {
      await users.close();
      await natsServer.dispose();
    },
  };
}

let counter = 0;
/** A unique, valid registration input. */
export function newAccount(overrides: Partial<{ username: string; email: string; password: string; userType: string }> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  return { username: `user_${tag}`, email: `user_${tag}@example.com`, password: 'correct horse battery', ...overrides };
}

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { accessToken refreshToken user { id username email userType isVerified dateJoined } }
  }`;
export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { accessToken refreshToken user { id username userType } }
  }`;
export const ME = /* GraphQL */ `
  query Me { me { id username email firstName lastName phoneNumber dateOfBirth profilePicture bio userType isVerified dateJoined lastLogin } }`;

/** Registers through the API and returns the tokens and user id. */
export async function registerAccount(users: Pick<UsersUnderTest, 'gql'>, overrides: Parameters<typeof newAccount>[0] = {}) {
  const input = newAccount(overrides);
  const response = await users.gql(REGISTER, { input });
  if (!response.data?.register) throw new Error(`registration failed: ${JSON.stringify(response.errors)}`);
  const { accessToken, refreshToken, user } = response.data.register;
  return { input, accessToken: accessToken as string, refreshToken: refreshToken as string, id: user.id as string };
}
