import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createLogger, type Logger } from '@jobplatform/config';
import { createTestDatabase, postGraphQL, type TestDatabase } from '@jobplatform/testing';
import { startUsersService, type UsersService } from '../src/server.js';
import type { UserEvent, UserEventSink } from '../src/user-events.js';
import type { LoginThrottlePolicy } from '../src/login-throttle.js';

export type UsersUnderTest = {
  service: UsersService;
  db: TestDatabase;
  /** The signing key, so tests can forge expired or malformed tokens with a valid signature. */
  privateKey: KeyObject;
  /** Events the service recorded, in order (what notifications will turn into emails). */
  events: UserEvent[];
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string> }): ReturnType<typeof postGraphQL<T>>;
  close(): Promise<void>;
};

/** Starts the users subgraph on a free port over a fresh, migrated database. */
export async function startUsersForTest(options: { throttle?: LoginThrottlePolicy; logger?: Logger } = {}): Promise<UsersUnderTest> {
  const db = await createTestDatabase('users');
  const { privateKey } = generateKeyPairSync('ed25519');
  const events: UserEvent[] = [];
  const sink: UserEventSink = {
    async record(_tx, event) {
      events.push(event);
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
    },
    { events: sink, logger: options.logger ?? createLogger('users', 'silent'), ...(options.throttle ? { throttle: options.throttle } : {}) },
  );
  return {
    service,
    db,
    privateKey,
    events,
    gql: (query, variables, opts) => postGraphQL(service.url, { query, ...(variables ? { variables } : {}) }, opts ?? {}),
    async close() {
      await service.close();
      await db.drop();
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
