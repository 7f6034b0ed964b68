import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { DocumentNode } from 'graphql';
import type express from 'express';
import type { z } from 'zod';
import type { NatsConnection } from '@nats-io/transport-node';
import { createTokenVerifier, type RevocationList, type TokenVerifier } from '@jobplatform/auth';
import { createLogger, EnvError, type Logger, type RegisteredServiceName } from '@jobplatform/config';
import {
  connectToNats,
  createEventMetrics,
  ensureStreams,
  natsInboxPrefixOf,
  natsUserOf,
  startEventConsumer,
  startOutboxRelay,
  startReplicaConsumer,
  watchNatsConnection,
  type BatchEventHandler,
  type EventConsumer,
  type EventHandlers,
  type EventSubject,
  type OutboxRelay,
  type OutboxRelayOptions,
  type ReplicaTable,
  type SqlClient,
} from '@jobplatform/events';
import { startGraphQLService, type RunningService } from './graphql-service.js';
import { createLeanSql, type LeanSql, type SqlStatementEvent } from './lean-sql.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import type { RequestContext } from './request-context.js';
import { httpRevocationSource, revocationsUrlBeside, startRevocationFeed, type RevocationSource } from './revocation-feed.js';
import { onShutdownSignal } from './shutdown.js';
import { loadSubgraphEnv, type SubgraphEnv } from './subgraph-env.js';

/** What the kit needs of a service's generated Prisma client. */
export type PrismaLike = {
  $disconnect(): Promise<void>;
  $queryRawUnsafe(query: string): Promise<unknown>;
  // Each service's generated client has its own transaction type; the kit only passes it through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  $transaction<R>(work: (tx: any) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $on(event: 'query', listener: (event: { query: string; duration: number }) => void): void;
};

export type PrismaClientClass<Db extends PrismaLike> = new (options: {
  adapter: PrismaPg;
  log?: { emit: 'event'; level: 'query' }[];
  transactionOptions?: { maxWait?: number; timeout?: number };
}) => Db;

/**
 * Interactive transactions wait up to 8 s for a pooled connection and may run 10 s (Prisma's
 * defaults are 2 s and 5 s). On a busy machine a request would otherwise fail as an internal error
 * while it waits its turn, as registrations did; the gateway gives a subgraph call 10 s in all.
 */
export const TRANSACTION_DEFAULTS = { maxWait: 8_000, timeout: 10_000 } as const;

/** Everything a service's domain is built from. */
export type DomainDeps<Db, Own, Overrides> = {
  db: Db;
  /** node-postgres on db's pool, for the hottest reads and the busiest consumers (lean-sql.ts). */
  sql: LeanSql;
  env: SubgraphEnv<Own>;
  logger: Logger;
  metrics: ServiceMetrics;
  now: () => Date;
  overrides: Partial<Overrides>;
};

/** A durable consumer of the service, besides its replicas: <service>-<purpose>. */
export type ConsumerSpec = {
  purpose: string;
  // The handlers receive the service's own transaction client (see PrismaLike.$transaction).
  /** One handler per subject, or (batchHandler) one for the batch's events together. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers?: EventHandlers<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  batchHandler?: BatchEventHandler<EventSubject, any>;
  /** Prisma's interactive-transaction limits for one batch; the defaults suit short handlers. */
  transaction?: { maxWait?: number; timeout?: number };
  /**
   * The handlers get a node-postgres connection in a transaction (LeanTx) instead of Prisma's
   * transaction client: for busy consumers whose handlers send SQL only, since Prisma's client costs
   * several times a statement's own work. Their statements take $1-style parameters.
   */
  leanTransaction?: boolean;
  ackWaitMs?: number;
  concurrency?: number;
  batchSize?: number;
};

/** A part of the service beyond the database, NATS and HTTP: a timer, a courier, a start-up task. */
export type PartSpec = { name: string; start: () => Promise<{ stop?: () => unknown } | void> };

/**
 * One subgraph service, declared: its registry name, SDL and resolvers, Prisma client, domain,
 * per-request context and event parts. startSubgraph runs it; the service folder holds nothing else
 * of the plumbing.
 */
export type SubgraphDefinition<Db extends PrismaLike, Domain, Context extends RequestContext, Own = Record<string, never>, Overrides = Record<string, never>> = {
  name: RegisteredServiceName;
  /** The service's own settings beyond the common ones (see subgraph-env.ts). */
  env?: z.ZodType<Own>;
  typeDefs: DocumentNode;
  /** The generated resolver types are stricter than @apollo/subgraph's resolver map. */
  resolvers: unknown;
  PrismaClient: PrismaClientClass<Db>;
  /** The service's rules over its database: what the HTTP service, seeds, CLIs and tests share. */
  createDomain(deps: DomainDeps<Db, Own, Overrides>): Domain | Promise<Domain>;
  /** The per-request context: the base (viewer, request id, logger) plus the service's own state. */
  createContext(base: RequestContext, domain: Domain): Context;
  events?: {
    /** Options for the outbox relay, which every service with an outbox runs. */
    relay?: Partial<Pick<OutboxRelayOptions, 'keepPublishedMs' | 'batchSize' | 'pollIntervalMs'>>;
    /** How long every consumer of the service keeps its processed_events rows; the default suits the default stream limits. */
    processedEventsRetentionMs?: number;
    /** Local copies of other services' entities, each kept by a durable consumer (purpose: its name). */
    replicas?: Record<string, ReplicaTable>;
    consumers?: (domain: Domain, deps: DomainDeps<Db, Own, Overrides>) => ConsumerSpec[];
  };
  /** More parts, started after the event parts and before HTTP, stopped before them. */
  parts?: (domain: Domain, deps: DomainDeps<Db, Own, Overrides>) => PartSpec[];
  /**
   * Run on each connection opened at start, before the service is ready (DATABASE_POOL_MIN): the
   * service's own statements, so that a new PostgreSQL backend loads what it would otherwise load
   * during its first requests (catalogs, statistics, text-search dictionaries).
   */
  warmUp?: (connection: WarmUpConnection) => Promise<void>;
  /**
   * PostgreSQL settings for every connection of the service's pool (its requests, consumers, seeds
   * and CLIs), from its own settings: e.g. a larger work_mem for a service whose statements sort or
   * aggregate large sets. Sent when a connection opens (the startup packet's options, as `-c
   * name=value`), so they cost no statement; a DATABASE_URL's own `options` come after them and win.
   */
  databaseSettings?: (own: Own) => Record<string, string>;
  /** Defaults to the identity service's JWKS (JWKS_URL), refusing the tokens in `revocations`. */
  verifyToken?: (domain: Domain, revocations: RevocationList) => TokenVerifier;
  /**
   * Where the service reads token revocations from (every second): by default the identity
   * service's TOKEN_REVOCATIONS_PATH beside JWKS_URL; the identity service reads its own database.
   */
  revocationSource?: (domain: Domain) => RevocationSource;
  /** Extra HTTP routes beside /graphql (e.g. the JWKS document). */
  routes?: (app: express.Express, domain: Domain) => void;
  /** Settings a throw-away instance uses (tests, benchmarks): fresh keys, cheap password hashing. */
  testEnv?: () => NodeJS.ProcessEnv;
};

export type StartSubgraphOptions<Overrides> = {
  logger?: Logger;
  now?: () => Date;
  verifyToken?: TokenVerifier;
  /** Sees every SQL statement the service sends, through Prisma or the lean client (statement-count tests). */
  onQuery?: (event: SqlStatementEvent) => void;
  /** Service-specific replacements (tests): passed to createDomain. */
  overrides?: Partial<Overrides>;
};

export type RunningSubgraph<Db, Domain> = RunningService & {
  name: string;
  db: Db;
  sql: LeanSql;
  domain: Domain;
  metrics: ServiceMetrics;
  nats: NatsConnection;
  relay: OutboxRelay;
  /** Durable consumers by purpose (replicas included). */
  consumers: Record<string, EventConsumer>;
  /** Part names in start order. */
  parts: readonly string[];
  close(): Promise<void>;
};

// The kit never reads a service's resolver context, so any context type will do here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition<Db extends PrismaLike, Domain, Own, Overrides> = SubgraphDefinition<Db, Domain, any, Own, Overrides>;

function prismaOver<Db extends PrismaLike>(PrismaClient: PrismaClientClass<Db>, adapter: PrismaPg, onQuery: StartSubgraphOptions<unknown>['onQuery']): Db {
  const transactionOptions = TRANSACTION_DEFAULTS;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions });
  const db = new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'query' }] });
  db.$on('query', (event) => onQuery({ query: event.query, duration: event.duration, via: 'prisma' }));
  return db;
}

/** A Prisma client over the pg driver, with a pool of its own (command-line tools). */
export function createPrismaClient<Db extends PrismaLike>(
  PrismaClient: PrismaClientClass<Db>,
  databaseUrl: string,
  options: { poolSize?: number; onQuery?: StartSubgraphOptions<unknown>['onQuery'] } = {},
): Db {
  return prismaOver(PrismaClient, new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 20 }), options.onQuery);
}

/** A setting's name and value as PostgreSQL's `-c` takes them: a name of letters, digits, `_` and `.`; a value without spaces or backslashes. */
const SESSION_SETTING = { name: /^[a-z_][a-z0-9_.]*$/i, value: /^[^\\\s]+$/ };

/**
 * The database URL with `settings` as its connection options (`-c name=value` each, sent in the
 * startup packet), before any `options` the URL already has, so that an operator's URL can still
 * override one. node-postgres reads the URL's options over those of its config, hence the URL.
 */
export function withSessionSettings(databaseUrl: string, settings: Record<string, string>): string {
  const entries = Object.entries(settings);
  if (entries.length === 0) return databaseUrl;
  for (const [name, value] of entries)
    if (!SESSION_SETTING.name.test(name) || !SESSION_SETTING.value.test(value))
      throw new Error(`database setting ${name}=${value}: a name of letters, digits, _ and ., and a value without spaces`);
  const url = new URL(databaseUrl);
  const own = url.searchParams.get('options');
  url.searchParams.set('options', [...entries.map(([name, value]) => `-c ${name}=${value}`), ...(own ? [own] : [])].join(' '));
  return url.toString();
}

/** One connection of the pool, as a definition's warmUp gets it. */
export type WarmUpConnection = { query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[] }> };

/**
 * A service's database clients: Prisma and the lean client over one pool of connections. warm()
 * opens the pool's minimum of connections at once and runs warmUp on each: the pool keeps them
 * open while idle, and hands out the most recently used first.
 */
export type DatabaseClients<Db> = { db: Db; sql: LeanSql; warm(warmUp?: (connection: WarmUpConnection) => Promise<void>): Promise<void>; close(): Promise<void> };

/**
 * A Prisma client over the pg driver and the lean client (lean-sql.ts) beside it, sharing one pool;
 * a connection waits at most TRANSACTION_DEFAULTS.maxWait for the pool. onQuery sees the statements
 * of both.
 */
export function createDatabaseClients<Db extends PrismaLike>(
  PrismaClient: PrismaClientClass<Db>,
  databaseUrl: string,
  options: {
    poolSize?: number;
    minConnections?: number;
    /** Server settings for each connection (see SubgraphDefinition.databaseSettings). */
    settings?: Record<string, string>;
    onQuery?: StartSubgraphOptions<unknown>['onQuery'];
    logger?: Logger;
  } = {},
): DatabaseClients<Db> {
  const min = options.minConnections ?? 0;
  // Idle connections above `min` close after pg-pool's 10 s; those up to `min` stay open.
  const pool = new pg.Pool({
    connectionString: withSessionSettings(databaseUrl, options.settings ?? {}),
    max: options.poolSize ?? 20,
    min,
    connectionTimeoutMillis: TRANSACTION_DEFAULTS.maxWait,
  });
  // An idle connection the server ended must not end the process (pg-pool re-emits it here).
  pool.on('error', () => undefined);
  const { onQuery, logger } = options;
  const db = prismaOver(PrismaClient, new PrismaPg(pool), onQuery);
  const sql = createLeanSql(pool, {
    ...(onQuery ? { onQuery } : {}),
    onNamesUsedUp: (limit) =>
      logger?.warn(
        { preparedStatements: limit },
        'node-postgres statements: every prepared-statement name is taken; new statement texts are planned on every call (a text that varies with its data should take arrays)',
      ),
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await db.$disconnect(); // leaves a pool it was given open
      await pool.end();
    })());
  const warm = async (warmUp?: (connection: WarmUpConnection) => Promise<void>) => {
    // Every connection obtained goes back to the pool, even when another could not be opened:
    // pool.end() waits for those still out.
    const opened = await Promise.allSettled(Array.from({ length: min }, () => pool.connect()));
    const connections = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      const failed = opened.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      if (warmUp) await Promise.all(connections.map((connection) => warmUp(connection as WarmUpConnection)));
    } finally {
      for (const connection of connections) connection.release();
    }
  };
  return { db, sql, warm, close };
}

/**
 * The domain alone, over its database, without HTTP or NATS: for seeds, CLIs and tests that
 * exercise rules. Close it to end the pool.
 */
export async function openSubgraphDomain<Db extends PrismaLike, Domain, Own, Overrides>(
  definition: AnyDefinition<Db, Domain, Own, Overrides>,
  env: SubgraphEnv<Own>,
  options: StartSubgraphOptions<Overrides> = {},
): Promise<{ db: Db; sql: LeanSql; domain: Domain; close(): Promise<void> }> {
  const clients = createDatabaseClients(definition.PrismaClient, env.databaseUrl, {
    poolSize: env.databasePoolSize,
    settings: definition.databaseSettings?.(env.own) ?? {},
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  try {
    const domain = await definition.createDomain(domainDeps(definition, clients, env, options));
    return { db: clients.db, sql: clients.sql, domain, close: clients.close };
  } catch (error) {
    await clients.close();
    throw error;
  }
}

function domainDeps<Db extends PrismaLike, Own, Overrides>(
  definition: { name: string },
  { db, sql }: Pick<DatabaseClients<Db>, 'db' | 'sql'>,
  env: SubgraphEnv<Own>,
  options: StartSubgraphOptions<Overrides>,
  metrics: ServiceMetrics = createMetrics(definition.name),
): DomainDeps<Db, Own, Overrides> {
  return {
    db,
    sql,
    env,
    logger: options.logger ?? createLogger(definition.name, env.logLevel),
    metrics,
    now: options.now ?? (() => new Date()),
    overrides: options.overrides ?? {},
  };
}

/**
 * Starts a subgraph: database pool, domain, NATS connection, its stream and the streams it reads,
 * outbox relay, replicas and consumers, further parts, then HTTP (/graphql, /healthz, /readyz,
 * /metrics). Parts start in that order; if one fails, those already started close in reverse and
 * the error is rethrown. close() stops them in reverse once, however often it is called, within
 * the shutdown deadline.
 */
export async function startSubgraph<Db extends PrismaLike, Domain, Own, Overrides>(
  definition: AnyDefinition<Db, Domain, Own, Overrides>,
  env: SubgraphEnv<Own>,
  options: StartSubgraphOptions<Overrides> = {},
): Promise<RunningSubgraph<Db, Domain>> {
  const { name } = definition;
  const metrics = createMetrics(name);
  const logger = options.logger ?? createLogger(name, env.logLevel);
  const lifecycle: Lifecycle = createLifecycle({ logger, closeDeadlineMs: env.shutdownDeadlineMs });
  try {
    const clients = await lifecycle.start(
      'database',
      async () => {
        const started = createDatabaseClients(definition.PrismaClient, env.databaseUrl, {
          poolSize: env.databasePoolSize,
          minConnections: env.databasePoolMin,
          settings: definition.databaseSettings?.(env.own) ?? {},
          logger,
          ...(options.onQuery ? { onQuery: options.onQuery } : {}),
        });
        // A new connection's first statements cost more (authentication, catalogs, the warm-up's
        // subjects): the first requests find DATABASE_POOL_MIN connections that have paid it.
        await started.warm(definition.warmUp).catch(async (error: unknown) => {
          await started.close();
          throw error;
        });
        return started;
      },
      (started) => started.close(),
    );
    const { db, sql } = clients;
    const deps = domainDeps(definition, clients, env, { ...options, logger }, metrics);
    const domain = await definition.createDomain(deps);

    // Its own identity: it may publish only its own subjects and read only the streams it consumes.
    const identity = { ...(env.natsPassword ? { user: natsUserOf(name), password: env.natsPassword } : {}), inboxPrefix: natsInboxPrefixOf(name) };
    const nats = await lifecycle.start(
      'nats',
      () => connectToNats(env.natsUrl, name, identity),
      (connection) => connection.drain(),
    );
    watchNatsConnection(nats, { logger, registry: metrics.registry });
    // Dead letters, failures, lag and the outbox's backlog of every part below, on /metrics.
    const eventMetrics = createEventMetrics(metrics.registry);
    // The stream it writes. Those it reads are their producers' to create: its consumers wait for them.
    await ensureStreams(nats, [name]);
    const relay = await lifecycle.start(
      'outbox relay',
      () => startOutboxRelay({ service: name, databaseUrl: env.databaseUrl, nats, logger, metrics: eventMetrics, ...definition.events?.relay }),
      (started) => started.stop(),
    );
    const retention = definition.events?.processedEventsRetentionMs;
    const consumerBase = { nats, service: name, logger, now: deps.now, metrics: eventMetrics, ...(retention ? { processedEventsRetentionMs: retention } : {}) };
    const consumers: Record<string, EventConsumer> = {};
    for (const [purpose, replica] of Object.entries(definition.events?.replicas ?? {})) {
      consumers[purpose] = await lifecycle.start(
        `consumer ${purpose}`,
        () => startReplicaConsumer<SqlClient>({ ...consumerBase, purpose, transaction: (work) => db.$transaction(work), replica }),
        (consumer) => consumer.stop(),
      );
    }
    for (const spec of definition.events?.consumers?.(domain, deps) ?? []) {
      consumers[spec.purpose] = await lifecycle.start(
        `consumer ${spec.purpose}`,
        () =>
          startEventConsumer<SqlClient>({
            ...consumerBase,
            purpose: spec.purpose,
            handlers: spec.handlers,
            batchHandler: spec.batchHandler,
            transaction: spec.leanTransaction ? (work) => sql.transaction(work) : (work) => db.$transaction(work, spec.transaction),
            ...(spec.ackWaitMs ? { ackWaitMs: spec.ackWaitMs } : {}),
            ...(spec.concurrency ? { concurrency: spec.concurrency } : {}),
            ...(spec.batchSize ? { batchSize: spec.batchSize } : {}),
          }),
        (consumer) => consumer.stop(),
      );
    }
    for (const part of definition.parts?.(domain, deps) ?? []) {
      await lifecycle.start(part.name, part.start, (started) => (started ? started.stop?.() : undefined));
    }

    // Tokens of ended sign-ins stop working here within about a second of their revocation.
    const revocations = await lifecycle.start(
      'token-revocations',
      () =>
        startRevocationFeed({
          source: definition.revocationSource?.(domain) ?? httpRevocationSource(revocationsUrlBeside(env.jwksUrl), env.gatewayHopSecret),
          logger,
        }),
      (feed) => feed.stop(),
    );

    const http = await lifecycle.start(
      'http',
      () =>
        startGraphQLService<RequestContext>({
          name,
          schema: buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }),
          host: env.host,
          port: env.port,
          logger,
          verifyToken: options.verifyToken ?? definition.verifyToken?.(domain, revocations.list) ?? createTokenVerifier({ jwksUrl: env.jwksUrl, revocations: revocations.list }),
          introspection: env.nodeEnv !== 'production',
          gatewayHop: { secret: env.gatewayHopSecret, requireSigned: env.nodeEnv === 'production' },
          limits: env.operationLimits,
          executor: env.executor,
          extendContext: (base) => definition.createContext(base, domain),
          // Serving needs the database, not NATS: while NATS is away, changes and their events still
          // commit to the outbox (the gauge event_backbone_connected on /metrics tells).
          readiness: async () => {
            await db.$queryRawUnsafe('SELECT 1');
          },
          metrics,
          ...(definition.routes ? { routes: (app: express.Express) => definition.routes!(app, domain) } : {}),
        }),
      (service) => service.close(),
    );
    return {
      ...http,
      name,
      db,
      sql,
      domain,
      metrics,
      nats,
      relay,
      consumers,
      parts: lifecycle.started,
      close: () => lifecycle.close(),
    };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}

/**
 * A service's index.ts: reads its settings, starts it, and shuts it down on SIGINT or SIGTERM
 * within the shutdown deadline. Bad settings print the list of what is wrong and exit 1.
 */
export async function runSubgraph<Db extends PrismaLike, Domain, Own, Overrides>(
  definition: AnyDefinition<Db, Domain, Own, Overrides>,
  afterStart?: (service: RunningSubgraph<Db, Domain>) => Promise<void>,
): Promise<void> {
  try {
    const env = loadSubgraphEnv(definition.name, definition.env);
    const service = await startSubgraph(definition, env);
    onShutdownSignal(service.close);
    await afterStart?.(service);
  } catch (error) {
    console.error(error instanceof EnvError ? error.message : error);
    process.exit(1);
  }
}
