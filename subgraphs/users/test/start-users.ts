import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@jobplatform/config';
import type { EventEnvelope, EventSubject } from '@jobplatform/events';
import { startMailCatcher, type CaughtMail, type MailCatcher } from '@jobplatform/mail/catcher';
import { readStream, startPrivateNats, startSubgraphForTest, type Gql, type PrivateNats, type SubgraphUnderTest } from '@jobplatform/testing';
import type { AccountMailKind } from '../src/account-mails.js';
import { usersSubgraph, type UsersDomain, type UsersService } from '../src/server.js';
import type { UsersDb } from '../src/db.js';
import type { UsersSettings } from '../src/env.js';
import type { LoginThrottlePolicy } from '../src/login-throttle.js';

export { waitFor } from '@jobplatform/testing';

const subjects: Record<AccountMailKind, string> = { email_verification: 'Confirm your email address', password_reset: 'Reset your password' };

/** The one-time token of a verification or reset mail, as the link in it carries it. */
export function tokenInMail(mail: CaughtMail): string {
  const token = /[?&]token=([A-Za-z0-9_-]{43})\b/.exec(mail.text)?.[1];
  if (!token) throw new Error(`mail #${mail.number} (${mail.subject}) has no token link`);
  return token;
}

/**
 * Waits for the nth (by default the first) mail of a kind to an address, as the users service
 * sent it over SMTP to the test's catcher, and returns it with its token.
 */
export async function accountMail(catcher: MailCatcher, to: string, kind: AccountMailKind, nth = 1): Promise<{ mail: CaughtMail; token: string }> {
  let seen = 0;
  const mail = await catcher.waitForMail((m) => m.to.includes(to) && m.subject === subjects[kind] && ++seen === nth, { description: `${kind} mail #${nth} to ${to}` });
  return { mail, token: tokenInMail(mail) };
}

/** A mail catcher in a folder of its own, removed when it stops. */
export async function startTestMailCatcher(): Promise<MailCatcher> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-users-mail-'));
  const catcher = await startMailCatcher({ dir });
  return {
    ...catcher,
    async stop() {
      await catcher.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export type UsersUnderTest = Omit<SubgraphUnderTest<UsersDb, UsersDomain, UsersSettings>, 'service'> & {
  service: UsersService;
  /** The signing key, so tests can forge expired or malformed tokens with a valid signature. */
  privateKey: KeyObject;
  /** The nats-server of this test file alone; tests stop and restart it. */
  natsServer: PrivateNats;
  /** The SMTP server the service sends its mail to (SMTP_URL), unless the test gave its own. */
  mail: MailCatcher | undefined;
  /** The nth verification or reset mail to an address, with its token. */
  accountMail(to: string, kind: AccountMailKind, nth?: number): Promise<{ mail: CaughtMail; token: string }>;
  /** Every message JetStream holds on a producer's stream, in stream order, optionally of one subject. */
  streamEvents<S extends EventSubject>(subject?: S, stream?: string): Promise<EventEnvelope<S>[]>;
  gql: Gql;
};

/**
 * The users subgraph alone on a free port, over a fresh database, on a nats-server of its own,
 * sending its mail over SMTP to a catcher of its own (unless env sets SMTP_URL).
 */
export async function startUsersForTest(options: { throttle?: LoginThrottlePolicy; logger?: Logger; env?: NodeJS.ProcessEnv } = {}): Promise<UsersUnderTest> {
  const [natsServer, mail] = await Promise.all([startPrivateNats(), options.env?.SMTP_URL ? undefined : startTestMailCatcher()]);
  const users = await startSubgraphForTest(usersSubgraph, {
    natsUrl: natsServer.url,
    ...(options.logger ? { logger: options.logger } : {}),
    env: { ...(mail ? { SMTP_URL: mail.url } : {}), ...options.env },
    ...(options.throttle ? { overrides: { throttle: options.throttle } } : {}),
  });
  return {
    ...users,
    privateKey: createPrivateKey(users.env.own.JWT_PRIVATE_KEY!),
    natsServer,
    mail,
    accountMail(to, kind, nth) {
      if (!mail) throw new Error('this users instance sends its mail elsewhere (SMTP_URL was given)');
      return accountMail(mail, to, kind, nth);
    },
    streamEvents: (subject, stream = 'USERS') => readStream(users.nats, stream, subject),
    async close() {
      await users.close();
      await Promise.all([natsServer.dispose(), mail?.stop()]);
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
    register(input: $input) {
      accessToken
      refreshToken
      user {
        id
        username
        email
        userType
        isVerified
        dateJoined
      }
    }
  }
`;
export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      accessToken
      refreshToken
      user {
        id
        username
        userType
      }
    }
  }
`;
export const ME = /* GraphQL */ `
  query Me {
    me {
      id
      username
      email
      firstName
      lastName
      phoneNumber
      dateOfBirth
      profilePicture
      bio
      userType
      isVerified
      dateJoined
      lastLogin
    }
  }
`;

/** Registers through the API and returns the tokens and user id. */
export async function registerAccount(users: Pick<UsersUnderTest, 'gql'>, overrides: Parameters<typeof newAccount>[0] = {}) {
  const input = newAccount(overrides);
  const response = await users.gql(REGISTER, { input });
  if (!response.data?.register) throw new Error(`registration failed: ${JSON.stringify(response.errors)}`);
  const { accessToken, refreshToken, user } = response.data.register;
  return { input, accessToken: accessToken as string, refreshToken: refreshToken as string, id: user.id as string };
}

/**
 * Runs one of users' commands (subgraphs/users/src/cli/<file>) on the test's database, as its npm
 * script runs it, and returns its exit status and output.
 */
export function runUsersCommand(users: Pick<UsersUnderTest, 'db'>, file: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', `subgraphs/users/src/cli/${file}`, ...args],
      { cwd: root, env: { ...process.env, USERS_DATABASE_URL: users.db.url } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}
