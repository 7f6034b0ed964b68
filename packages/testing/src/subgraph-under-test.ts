import { randomBytes } from 'node:crypto';
import { createLogger, envPrefix, type Logger } from '@jobplatform/config';
import { connectToNats, streamNameOf, type EventEnvelope, type EventSubject } from '@jobplatform/events';
import {
  HOP_SIGNATURE_HEADER,
  hopHeadersOf,
  loadSubgraphEnv,
  signHop,
  startSubgraph,
  type SubgraphEnv,
  type PrismaLike,
  type RunningSubgraph,
  type StartSubgraphOptions,
  type SubgraphDefinition,
} from '@jobplatform/service-runtime';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TokenVerifier } from '@jobplatform/auth';
import { readOutbox, readStream } from './event-streams.js';
import { postGraphQL } from './graphql-client.js';
import { natsEnvFor, startPrivateNats } from './private-nats.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export type Gql = <T = Record<string, any>>(
  query: string,
  variables?: Record<string, unknown>,
  options?: { token?: string; headers?: Record<string, string>; operationName?: string },
) => ReturnType<typeof postGraphQL<T>>;

export type SubgraphUnderTest<Db = unknown, Domain = unknown, Own = any> = {
  service: RunningSubgraph<Db, Domain>;
  /** The settings it runs with, as its env schema parsed them. */
  env: SubgraphEnv<Own>;
  db: TestDatabase;
  /** The nats-server the service uses (its own, or the platform's). */
  natsUrl: string;
  /** A connection of the test's own to that server, for reading streams and publishing. */
  nats: NatsConnection;
  /** SQL statements the service sent, through Prisma's client or node-postgres; tests empty it with `statements.length = 0`. */
  statements: string[];
  /** Those of them sent over node-postgres (the kit's lean client), emptied the same way. */
  leanStatements: string[];
  /** Those of leanStatements sent as named prepared statements, emptied the same way. */
  preparedStatements: string[];
  /** Events the service committed to its outbox, in order, optionally of one subject. */
  outbox<S extends EventSubject>(subject?: S): Promise<EventEnvelope<S>[]>;
  /** Every message the service's own stream holds, in stream order: what consumers get. */
  published<S extends EventSubject>(subject?: S): Promise<EventEnvelope<S>[]>;
  /**
   * Straight to the subgraph, bypassing the gateway but signed as the gateway signs its calls, so
   * the subgraph believes the headers given (x-client-ip, x-request-id) as it would the gateway's.
   */
  gql: Gql;
  close(): Promise<void>;
};

/**
 * The gateway's hop secret in this test process: test subgraphs and test gateways share it, as a
 * platform's do. Made afresh for each run.
 */
export const testHopSecret = randomBytes(32).toString('base64');

/** The headers a request would carry if the gateway sent it: the given ones plus the hop signature. */
export function signedAsGateway(secret: string | undefined, url: string, body: string, headers: Record<string, string>): Record<string, string> {
  if (!secret) return headers;
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const { pathname, search } = new URL(url);
  return { ...headers, [HOP_SIGNATURE_HEADER]: signHop(secret, { method: 'POST', path: `${pathname}${search}`, ...hopHeadersOf(lowerCased), body }) };
}

export type SubgraphTestOptions<Overrides> = {
  /** The identity service's key set; services that verify tokens need it. */
  jwksUrl?: string;
  /** A nats-server to share (the platform's); by default the service gets one of its own. */
  natsUrl?: string;
  /** Settings beyond the test defaults, as environment variables (e.g. USER_ERASURE_TIMEOUT_MS). */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  now?: () => Date;
  verifyToken?: TokenVerifier;
  overrides?: Partial<Overrides>;
};

/**
 * One subgraph alone, on a free port, over a fresh migrated database of its own, with its real
 * event parts on a nats-server of its own (or the one given). The settings go through the
 * service's env schema, as in production, with cheap test values from the definition's testEnv.
 */
export async function startSubgraphForTest<Db extends PrismaLike, Domain, Own, Overrides>(
  definition: SubgraphDefinition<Db, Domain, any, Own, Overrides>,
  options: SubgraphTestOptions<Overrides> = {},
): Promise<SubgraphUnderTest<Db, Domain, Own>> {
  const [db, privateNats] = await Promise.all([createTestDatabase(definition.name), options.natsUrl ? undefined : startPrivateNats()]);
  const natsUrl = options.natsUrl ?? privateNats!.url;
  const prefix = envPrefix(definition.name);
  const env = loadSubgraphEnv(definition.name, definition.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    [`${prefix}_HOST`]: '127.0.0.1',
    [`${prefix}_PORT`]: '0',
    [`${prefix}_DATABASE_URL`]: db.url,
    [`${prefix}_DATABASE_POOL_SIZE`]: '10',
    // Its own NATS identity; the test's own connection (`nats`) is the admin's.
    ...natsEnvFor(natsUrl, definition.name),
    GATEWAY_HOP_SECRET: testHopSecret,
    ...(options.jwksUrl ? { JWKS_URL: options.jwksUrl } : {}),
    ...definition.testEnv?.(),
    ...options.env,
  });
  const statements: string[] = [];
  const leanStatements: string[] = [];
  const preparedStatements: string[] = [];
  const startOptions: StartSubgraphOptions<Overrides> = {
    logger: options.logger ?? createLogger(definition.name, 'silent'),
    onQuery: (event) => {
      statements.push(event.query);
      if (event.via === 'node-postgres') leanStatements.push(event.query);
      if (event.prepared) preparedStatements.push(event.query);
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.verifyToken ? { verifyToken: options.verifyToken } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  };
  let service: RunningSubgraph<Db, Domain>;
  try {
    service = await startSubgraph(definition, env, startOptions);
  } catch (error) {
    await Promise.all([db.drop(), privateNats?.dispose()]);
    throw error;
  }
  const nats = await connectToNats(natsUrl, `${definition.name}-test`);
  return {
    service,
    env,
    db,
    natsUrl,
    nats,
    statements,
    leanStatements,
    preparedStatements,
    outbox: (subject) => readOutbox(db, subject),
    published: (subject) => readStream(nats, streamNameOf(definition.name), subject),
    gql: (query, variables, opts = {}) => {
      const body = { query, ...(variables ? { variables } : {}), ...(opts.operationName ? { operationName: opts.operationName } : {}) };
      const headers = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
      return postGraphQL(service.url, body, { headers: signedAsGateway(env.gatewayHopSecret, service.url, JSON.stringify(body), headers) });
    },
    async close() {
      await service.close();
      await nats.drain();
      await Promise.all([db.drop(), privateNats?.dispose()]);
    },
  };
}

/** GraphQL operations a subgraph under test has served so far (its graphql_operation_duration_seconds count): each is a call from a gateway. */
export async function operationsServed(service: SubgraphUnderTest): Promise<number> {
  const metrics = await service.service.metrics.registry.getMetricsAsJSON();
  const values = (metrics.find((metric) => metric.name === 'graphql_operation_duration_seconds')?.values ?? []) as { metricName?: string; value: number }[];
  return values.filter((value) => value.metricName === 'graphql_operation_duration_seconds_count').reduce((sum, value) => sum + value.value, 0);
}
