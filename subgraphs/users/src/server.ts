import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { createTokenVerifier } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import { courierPart } from '@jobplatform/mail';
import { startSubgraph, TOKEN_REVOCATIONS_PATH, type RunningSubgraph, type StartSubgraphOptions, type SubgraphDefinition, type SubgraphEnv } from '@jobplatform/service-runtime';
import { createAccountErasure, type AccountErasure } from './account-erasure.js';
import { createRevocationReader, serveTokenRevocations, type RevocationReader } from './token-revocations.js';
import { createAccountMailer } from './account-mails.js';
import { createAccountService, type AccountService } from './accounts.js';
import { createUserLoader, type UsersContext } from './context.js';
import { PrismaClient, type UsersDb } from './db.js';
import { usersSettings, type UsersSettings } from './env.js';
import { createErasureMetrics } from './erasure-metrics.js';
import { createFieldCipher, type FieldCipher } from './field-encryption.js';
import { defaultLoginThrottlePolicy, type LoginThrottlePolicy } from './login-throttle.js';
import { createPasswordHasher } from './passwords.js';
import { resolvers } from './resolvers/index.js';
import { createAccessTokenSigner, loadPreviousPublicKey, loadSigningKey, type AccessTokenSigner } from './signing-keys.js';
import { createUserEventOutbox } from './user-events.js';

export type UsersOverrides = {
  throttle: LoginThrottlePolicy;
};

export type UsersDomain = {
  db: UsersDb;
  accounts: AccountService;
  erasure: AccountErasure;
  cipher: FieldCipher;
  signer: AccessTokenSigner;
  revocations: RevocationReader;
  hopSecret: string | undefined;
  logger: Logger;
};

/**
 * The users subgraph: accounts, sign-in, sessions, verification and reset tokens, and the
 * account-erasure saga it coordinates. Its relay publishes USERS; the durable consumer
 * users-user-erasure applies the participants' replies, and a timer publishes
 * users.user.deleted.v1 again for erasures that went unanswered. Its mail courier sends the
 * verification and reset mails queued in users_db, so their tokens never leave the service but in
 * the mail. Every replica runs all four.
 */
export const usersSubgraph: SubgraphDefinition<UsersDb, UsersDomain, UsersContext, UsersSettings, UsersOverrides> = {
  name: 'users',
  env: usersSettings,
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  async createDomain({ db, env, logger, metrics, overrides, now }) {
    const settings = env.own;
    const signingKey = loadSigningKey(settings.JWT_PRIVATE_KEY);
    if (signingKey.generated) logger.warn('JWT_PRIVATE_KEY is not set: using a throw-away signing key (tokens die with this process)');
    if (!settings.FIELD_ENCRYPTION_KEY) logger.warn('FIELD_ENCRYPTION_KEY is not set: using a throw-away key (encrypted fields will not survive a restart)');
    const signer = await createAccessTokenSigner(signingKey.privateKey, loadPreviousPublicKey(settings.JWT_PREVIOUS_PUBLIC_KEY));
    const cipher = createFieldCipher(settings.FIELD_ENCRYPTION_KEY ? Buffer.from(settings.FIELD_ENCRYPTION_KEY, 'base64') : randomBytes(32));
    const events = createUserEventOutbox();
    const erasure = createAccountErasure({ db, events, logger, metrics: createErasureMetrics(db, metrics.registry), participants: settings.USER_ERASURE_PARTICIPANTS });
    const accounts = createAccountService({
      db,
      hasher: createPasswordHasher({ memoryKiB: settings.ARGON2_MEMORY_KIB, timeCost: settings.ARGON2_TIME_COST }),
      signer,
      cipher,
      events,
      mailer: createAccountMailer({ webAppUrl: settings.WEB_APP_URL, events }),
      erasure,
      throttle: overrides.throttle ?? defaultLoginThrottlePolicy,
      registrationLimit: { windowMs: 60 * 60 * 1000, maxPerAddress: settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR },
      logger,
    });
    return { db, accounts, erasure, cipher, signer, revocations: createRevocationReader(db, now), hopSecret: env.gatewayHopSecret, logger };
  },
  createContext: (base, { accounts, cipher, db }) => ({ ...base, accounts, cipher, userById: createUserLoader(db) }),
  // users signs the tokens, so it verifies them with its own keys instead of fetching them over
  // HTTP, and reads the revocations from its own database.
  verifyToken: ({ signer }, revocations) => createTokenVerifier({ jwks: signer.jwks, revocations }),
  revocationSource: ({ revocations }) => revocations,
  routes(app, { signer, revocations, hopSecret, logger }) {
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.setHeader('cache-control', 'public, max-age=300');
      res.json(signer.jwks);
    });
    serveTokenRevocations(app, TOKEN_REVOCATIONS_PATH, { read: revocations, hopSecret, logger });
  },
  events: {
    consumers: ({ erasure }) => [
      {
        purpose: 'user-erasure',
        // A batch of replies shares one transaction, and each completing reply erases an account:
        // more than Prisma's default 5 s, well within the consumer's 30 s ack wait.
        transaction: { maxWait: 10_000, timeout: 20_000 },
        handlers: erasure.completionHandlers(),
      },
    ],
  },
  parts: ({ accounts, erasure }, { env, logger, metrics }) => [
    courierPart({ databaseUrl: env.databaseUrl, settings: env.own, logger, registry: metrics.registry }),
    {
      name: 'overdue-erasure check',
      async start() {
        let check: Promise<unknown> | undefined;
        const policy = { timeoutMs: env.own.USER_ERASURE_TIMEOUT_MS, maxAttempts: env.own.USER_ERASURE_MAX_ATTEMPTS };
        const timer = setInterval(() => {
          check ??= erasure
            .republishOverdue(policy)
            .catch((error: unknown) => logger.error({ err: error }, 'checking overdue account erasures failed'))
            .finally(() => (check = undefined));
        }, env.own.USER_ERASURE_CHECK_INTERVAL_MS);
        timer.unref();
        return {
          async stop() {
            clearInterval(timer);
            await check;
          },
        };
      },
    },
    {
      name: 'bootstrap admin',
      async start() {
        const { BOOTSTRAP_ADMIN_EMAIL: email, BOOTSTRAP_ADMIN_PASSWORD: password, BOOTSTRAP_ADMIN_USERNAME: username } = env.own;
        if (!email || !password) return;
        const outcome = await accounts.ensureBootstrapAdmin({ username, email, password });
        if (outcome === 'created') logger.info(`bootstrap admin ${email} created`);
      },
    },
  ],
  testEnv: () => ({
    JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    FIELD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // The cheapest argon2id the service accepts: tests check behaviour, not cost.
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    // Mail goes out within a tenth of a second of its commit (with SMTP_URL set, as mail tests do).
    MAIL_POLL_INTERVAL_MS: '50',
    // Tests register many accounts from 127.0.0.1; the limit itself is tested with a low one.
    REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000',
  }),
};

export type UsersService = RunningSubgraph<UsersDb, UsersDomain>;

/** Builds and starts the users subgraph; index.ts runs it, tests start it on port 0. */
export function startUsersService(env: SubgraphEnv<UsersSettings>, options: StartSubgraphOptions<UsersOverrides> = {}): Promise<UsersService> {
  return startSubgraph(usersSubgraph, env, options);
}
