import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { createTokenVerifier } from '@jobplatform/auth';
import { createLogger, type Logger } from '@jobplatform/config';
import { createMetrics, startGraphQLService, type RunningService } from '@jobplatform/service-runtime';
import { createAccountErasure, type AccountErasure } from './account-erasure.js';
import { createAccountService, type AccountService } from './accounts.js';
import { createUserLoader, type UsersContext } from './context.js';
import { createUsersDb, type UsersDb } from './db.js';
import type { UsersEnv } from './env.js';
import { createErasureMetrics } from './erasure-metrics.js';
import { startUsersEvents, type UsersEvents } from './events.js';
import { createFieldCipher } from './field-encryption.js';
import { defaultLoginThrottlePolicy, type LoginThrottlePolicy } from './login-throttle.js';
import { createPasswordHasher } from './passwords.js';
import { resolvers } from './resolvers/index.js';
import { createAccessTokenSigner, loadSigningKey } from './signing-keys.js';
import { combineSinks, createDevelopmentTokenLog, createUserEventOutbox, type UserEventSink } from './user-events.js';

const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export type UsersServiceOverrides = {
  logger?: Logger;
  throttle?: LoginThrottlePolicy;
  /** Sees every event as it is recorded, inside its transaction, beside the outbox (tests). */
  eventObserver?: UserEventSink;
};

export type UsersService = RunningService & { db: UsersDb; accounts: AccountService; erasure: AccountErasure; events: UsersEvents; jwksUrl: string };

/** Builds and starts the users subgraph; index.ts runs it, tests start it on port 0. */
export async function startUsersService(env: UsersEnv, overrides: UsersServiceOverrides = {}): Promise<UsersService> {
  const logger = overrides.logger ?? createLogger('users', env.LOG_LEVEL);
  const signingKey = loadSigningKey(env.JWT_PRIVATE_KEY);
  if (signingKey.generated) logger.warn('JWT_PRIVATE_KEY is not set: using a throw-away signing key (tokens die with this process)');
  const encryptionKey = env.FIELD_ENCRYPTION_KEY ? Buffer.from(env.FIELD_ENCRYPTION_KEY, 'base64') : randomBytes(32);
  if (!env.FIELD_ENCRYPTION_KEY) logger.warn('FIELD_ENCRYPTION_KEY is not set: using a throw-away key (encrypted fields will not survive a restart)');

  const db = createUsersDb(env.USERS_DATABASE_URL);
  const signer = await createAccessTokenSigner(signingKey.privateKey);
  const cipher = createFieldCipher(encryptionKey);
  const events = combineSinks(
    createUserEventOutbox(),
    ...(env.NODE_ENV === 'development' ? [createDevelopmentTokenLog(logger)] : []),
    ...(overrides.eventObserver ? [overrides.eventObserver] : []),
  );
  const metrics = createMetrics('users');
  const erasureMetrics = createErasureMetrics(db, metrics.registry);
  const erasure = createAccountErasure({
    db,
    events,
    logger,
    metrics: erasureMetrics,
  });
  const backbone = await startUsersEvents({
    natsUrl: env.NATS_URL,
    databaseUrl: env.USERS_DATABASE_URL,
    db,
    erasure,
    erasureCheckIntervalMs: env.USER_ERASURE_CHECK_INTERVAL_MS,
    erasurePolicy: { timeoutMs: env.USER_ERASURE_TIMEOUT_MS, maxAttempts: env.USER_ERASURE_MAX_ATTEMPTS },
    logger,
    registry: metrics.registry,
  });
  const accounts = createAccountService({
    db,
    hasher: createPasswordHasher({ memoryKiB: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST }),
    signer,
    cipher,
    events,
    erasure,
    throttle: overrides.throttle ?? defaultLoginThrottlePolicy,
    logger,
  });

  const stopBackbone = async () => {
    await backbone.stop();
    await db.$disconnect();
  };
  const service = await startGraphQLService<UsersContext>({
    name: 'users',
    // The generated resolver types are stricter than @apollo/subgraph's resolver map.
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    host: env.USERS_HOST,
    port: env.USERS_PORT,
    logger,
    verifyToken: createTokenVerifier({ jwks: signer.jwks }),
    introspection: env.NODE_ENV !== 'production',
    extendContext: (base) => ({ ...base, accounts, cipher, userById: createUserLoader(db) }),
    // Serving does not need NATS: while it is down, events wait in the outbox (event_backbone_connected on /metrics tells).
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    metrics,
    routes: (app) => {
      app.get('/.well-known/jwks.json', (_req, res) => {
        res.setHeader('cache-control', 'public, max-age=300');
        res.json(signer.jwks);
      });
    },
  }).catch(async (error: unknown) => {
    await stopBackbone();
    throw error;
  });

  return {
    ...service,
    db,
    accounts,
    erasure,
    events: backbone,
    jwksUrl: service.url.replace(/\/graphql$/, '/.well-known/jwks.json'),
    close: async () => {
      await service.close();
      await stopBackbone();
    },
  };
}
