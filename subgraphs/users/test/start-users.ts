import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLogger, type Logger } from '@jobplatform/config';
import { connectToNats, type EventEnvelope, type EventSubject } from '@jobplatform/events';
import { createTestDatabase, postGraphQL, type TestDatabase } from '@jobplatform/testing';
import type { UsersEnv } from '../src/env.js';
import { startUsersService, type UsersService } from '../src/server.js';
import type { UserEvent, UserEventSink } from '../src/user-events.js';
import type { LoginThrottlePolicy } from '../src/login-throttle.js';
// Stream and durable consumer names are fixed by the contracts (USERS, users-user-erasure), so each
// test file runs its own nats-server: on a shared one, files side by side would consume each other's events.
import { startPrivateNats } from '../../../packages/events/test/event-test-setup.js';

export { waitFor } from '../../../packages/events/test/event-test-setup.js';

/** An event as the service recorded it, flattened for tests: who it is about, and the token a mail would carry. */
export type RecordedUserEvent = { type: UserEvent['type']; userId: bigint; token?: string; expiresAt?: Date };

export type UsersUnderTest = {
  service: UsersService;
  db: TestDatabase;
  /** The signing key, so tests can forge expired or malformed tokens with a valid signature. */
  privateKey: KeyObject;
  /** The nats-server of this test file alone; tests stop and restart it. */
  natsServer: Awaited<ReturnType<typeof startPrivateNats>>;
  /**
   * Events the service recorded, in order, as they were written inside their transactions (what
   * notifications will turn into emails). streamEvents() shows what actually reached JetStream.
   */
  events: RecordedUserEvent[];
  /** Every message JetStream holds on a producer's stream, in stream order, optionally of one subject. */
  streamEvents<S extends EventSubject>(subject?: S, stream?: string): Promise<EventEnvelope<S>[]>;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string> }): ReturnType<typeof postGraphQL<T>>;
  close(): Promise<void>;
};

function flatten(event: UserEvent): RecordedUserEvent {
  if ('user' in event) return { type: event.type, userId: event.user.id, ...('token' in event ? { token: event.token, expiresAt: event.expiresAt } : {}) };
  return { type: event.type, userId: event.userId };
}

/** Starts the users subgraph on a free port over a fresh, migrated database and its own nats-server. */
export async function startUsersForTest(
  options: { throttle?: LoginThrottlePolicy; logger?: Logger; env?: Partial<UsersEnv> } = {},
): Promise<UsersUnderTest> {
  const [db, nats] = await Promise.all([createTestDatabase('users'), startPrivateNats()]);
  const { privateKey } = generateKeyPairSync('ed25519');
  const events: RecordedUserEvent[] = [];
  const observer: UserEventSink = {
    async record(_tx, event) {
      events.push(flatten(event));
    },
  };
  const service = await startUsersService(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      USERS_HOST: '127.0.0.1',
      USERS_PORT: 0,
      USERS_DATABASE_URL: db.url,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      FIELD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      BOOTSTRAP_ADMIN_USERNAME: 'admin',
      // The cheapest argon2id the service accepts: tests check behaviour, not cost.
      ARGON2_MEMORY_KIB: 8192,
      ARGON2_TIME_COST: 1,
      NATS_URL: nats.url,
      USER_ERASURE_CHECK_INTERVAL_MS: 60_000,
      USER_ERASURE_TIMEOUT_MS: 15 * 60_000,
      USER_ERASURE_MAX_ATTEMPTS: 5,
      ...options.env,
    },
    { eventObserver: observer, logger: options.logger ?? createLogger('users', 'silent'), ...(options.throttle ? { throttle: options.throttle } : {}) },
  );
  const reader = await connectToNats(nats.url, 'users-test-reader');
  return {
    service,
    db,
    privateKey,
    natsServer: nats,
    events,
    async streamEvents<S extends EventSubject>(subject?: S, stream = 'USERS') {
      const jsm = await jetstreamManager(reader);
      const { state } = await jsm.streams.info(stream);
      const envelopes: EventEnvelope<S>[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
        const message = await jsm.streams.getMessage(stream, { seq });
        if (message && (!subject || message.subject === subject)) envelopes.push(message.json<EventEnvelope<S>>());
      }
      return envelopes;
    },
    gql: (query, variables, opts) => postGraphQL(service.url, { query, ...(variables ? { variables } : {}) }, opts ?? {}),
    async close() {
      await service.close();
      await reader.drain();
      await Promise.all([db.drop(), nats.dispose()]);
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
export async function registerAccount(users: UsersUnderTest, overrides: Parameters<typeof newAccount>[0] = {}) {
  const input = newAccount(overrides);
  const response = await users.gql(REGISTER, { input });
  if (!response.data?.register) throw new Error(`registration failed: ${JSON.stringify(response.errors)}`);
  const { accessToken, refreshToken, user } = response.data.register;
  return { input, accessToken: accessToken as string, refreshToken: refreshToken as string, id: user.id as string };
}
