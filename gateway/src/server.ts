import { readFileSync } from 'node:fs';
import type http from 'node:http';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { createTokenVerifier } from '@jobplatform/auth';
import { createLogger, gatewayDefinition, type Logger } from '@jobplatform/config';
import { connectToNats, natsUserOf, watchNatsConnection } from '@jobplatform/events';
import {
  attachScalarParsing,
  boundUrl,
  createHttpApp,
  createMetrics,
  expressCall,
  expressCheck,
  formatGraphQLError,
  httpRevocationSource,
  installErrorHandler,
  listen,
  NotReadyError,
  operationCostPlugin,
  operationLimitRules,
  requestLoggingPlugin,
  revocationsUrlBeside,
  serveGraphQLPostsAhead,
  startRevocationFeed,
  type GraphQLCall,
} from '@jobplatform/service-runtime';
import { clientAddressOf } from './client-address.js';
import { createContextBuilder, type GatewayContext } from './context.js';
import { ideEnabledIn, liveUpdatesOf, socketLimitsOf, subgraphCallsOf, type GatewayEnv } from './env.js';
import { createOperationExecutor, createQueryPreparer } from './execute-operation.js';
import { mountGraphQLIde } from './graphql-ide.js';
import { AnsweredCalls, singleFetchGateway } from './single-fetch.js';
import { createSubgraphClient, SubgraphDataSource, subgraphsOf, type SubgraphClient } from './subgraph-requests.js';
import { mountUploadProxy } from './upload-proxy.js';
import { startLiveUpdates, type LiveUpdates } from './subscriptions/index.js';
import { compileTrustedDocuments, createTrustedDocuments, trustedDocumentsCheck } from './trusted-documents.js';
import { serveGraphQLOverWebSocket } from './websocket.js';

export const defaultSupergraphPath = new URL('../../schema/supergraph.graphql', import.meta.url);

export type RunningGateway = { url: string; httpServer: http.Server; close(): Promise<void> };

/**
 * Each subgraph answers a trivial query (signed, as every call of the gateway), or the gateway is
 * not ready. /readyz lists every subgraph with its state either way.
 */
async function checkSubgraphs(subgraphs: { name: string; url: string }[], client: SubgraphClient): Promise<{ subgraphs: Record<string, string> }> {
  const states: Record<string, string> = {};
  await Promise.all(
    subgraphs.map(async ({ name, url }) => {
      try {
        const { status } = await client.post(url, JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json' }, { timeoutMs: 2000 });
        states[name] = status >= 200 && status < 300 ? 'ready' : `answered ${status}`;
      } catch {
        states[name] = 'unreachable';
      }
    }),
  );
  const ordered = Object.fromEntries(subgraphs.map(({ name }) => [name, states[name]!]));
  const failures = Object.entries(ordered).filter(([, state]) => state !== 'ready');
  if (failures.length > 0)
    throw new NotReadyError(failures.map(([name, state]) => `${name} ${state === 'unreachable' ? 'is unreachable' : state}`).join('; '), { subgraphs: ordered });
  return { subgraphs: ordered };
}

export async function startGateway(env: GatewayEnv, options: { supergraphSdl?: string; logger?: Logger } = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway', env.LOG_LEVEL);
  const supergraphSdl = options.supergraphSdl ?? readFileSync(env.SUPERGRAPH_PATH ?? defaultSupergraphPath, 'utf8');
  const subgraphs = subgraphsOf(supergraphSdl).map(({ name, url }) => ({ name, url: env.subgraphUrls[name] ?? url }));
  const routing = new Map(subgraphs.map((s) => [s.name, s.url]));
  // Tokens of ended sign-ins stop working here within about a second of their revocation.
  const revocations = startRevocationFeed({ source: httpRevocationSource(revocationsUrlBeside(env.JWKS_URL), env.GATEWAY_HOP_SECRET), logger });
  const verifyToken = createTokenVerifier({ jwksUrl: env.JWKS_URL, revocations: revocations.list });
  const buildContext = createContextBuilder(verifyToken, logger);
  const formatError = formatGraphQLError(logger);
  const metrics = createMetrics('gateway');
  const calls = subgraphCallsOf(env);
  const client = createSubgraphClient(calls);

  // It listens before the supergraph is loaded (the drain plugin needs the server); until /graphql
  // and the socket serve, it is not ready, whatever the subgraphs say.
  let serving = false;
  const app = createHttpApp({
    logger,
    metrics,
    readiness: async () => {
      if (!serving) throw new NotReadyError('starting: /graphql is not served yet', { subgraphs: {} });
      return checkSubgraphs(subgraphs, client);
    },
  });
  app.set('trust proxy', env.GATEWAY_TRUSTED_PROXIES);
  mountUploadProxy(app, { subgraphUrl: routing.get('applications'), logger });
  if (ideEnabledIn(env)) mountGraphQLIde(app, '/graphql');
  const live = liveUpdatesOf(env);
  // Before listening: a gateway that cannot reach the event backbone does not start (as the subgraphs).
  const nats = live
    ? await connectToNats(live.natsUrl, 'gateway', { user: natsUserOf(gatewayDefinition.name), ...(live.natsPassword ? { password: live.natsPassword } : {}) })
    : undefined;
  if (nats) watchNatsConnection(nats, { logger, registry: metrics.registry });
  const httpServer = await listen(app, env.GATEWAY_PORT, env.GATEWAY_HOST);

  // @apollo/gateway reads its telemetry switch from the process environment when it is constructed.
  process.env.APOLLO_TELEMETRY_DISABLED = String(env.APOLLO_TELEMETRY_DISABLED);
  const dataSources = new Map<string, SubgraphDataSource>();
  const answered = new AnsweredCalls();
  const apolloGateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const target = routing.get(name) ?? url;
      if (!target) throw new Error(`The supergraph names no URL for the ${name} subgraph`);
      const dataSource = new SubgraphDataSource({ name, url: target, timeoutMs: calls.timeoutMs, logger }, client, answered);
      dataSources.set(name, dataSource);
      return dataSource;
    },
  });
  // An operation one subgraph answers whole gets that subgraph's data as it came (single-fetch.ts).
  const gateway = singleFetchGateway(apolloGateway, { enabled: env.GATEWAY_SINGLE_FETCH ?? true, dataSources, answered, registry: metrics.registry });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    // The supergraph names DateTime and Date without implementing them: parse them as the subgraphs
    // do, so that a malformed date fails validation here instead of in a subgraph's fetch.
    attachScalarParsing(schema);
    apiSchema = schema;
  });

  // The platform's own operations, by id or as text; with GATEWAY_TRUSTED_DOCUMENTS_ONLY, nothing else.
  const trustedDocuments = createTrustedDocuments(compileTrustedDocuments(env.GATEWAY_TRUSTED_DOCUMENTS_DIR), { only: env.GATEWAY_TRUSTED_DOCUMENTS_ONLY ?? false });

  const validationRules = operationLimitRules({ maxDepth: env.GATEWAY_MAX_DEPTH, maxAliases: env.GATEWAY_MAX_ALIASES });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // Ids name trusted documents only (trustedDocumentsCheck): clients cannot register documents of their own.
    persistedQueries: false,
    introspection: env.NODE_ENV !== 'production',
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules,
    formatError,
    plugins: [
      // GET /graphql in a browser is GraphiQL from the gateway itself (graphql-ide.ts), never a CDN page.
      ApolloServerPluginLandingPageDisabled(),
      // Responses are never cached by hint, and the default cache-control plugin runs a hook per resolved field.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      metrics.graphqlPlugin() as ApolloServerPlugin<GatewayContext>,
      requestLoggingPlugin<GatewayContext>(logger),
      operationCostPlugin<GatewayContext>(env.GATEWAY_MAX_COST),
    ],
  });
  await apollo.start();

  const checks = [trustedDocumentsCheck(trustedDocuments)];
  const context = (call: GraphQLCall) =>
    buildContext({
      requestId: call.requestId,
      clientIp: clientAddressOf(call.req, env.GATEWAY_TRUSTED_PROXIES),
      userAgent: call.req.headers['user-agent'],
      authorization: call.req.headers.authorization,
    });
  // JSON POSTs, nearly every request, skip Express; the rest (GETs, other content types) take its way.
  serveGraphQLPostsAhead(httpServer, app, { path: '/graphql', apollo, metrics, logger, bodyLimit: env.GATEWAY_BODY_LIMIT, checks, context });
  app.use(
    '/graphql',
    express.json({ limit: env.GATEWAY_BODY_LIMIT }),
    ...checks.map(expressCheck),
    expressMiddleware(apollo, { context: ({ req, res }) => context(expressCall(req, res)) }),
  );
  installErrorHandler(app, logger);

  // graphql-ws on the same path, executing through the same ApolloServer as POST /graphql. Each
  // subscription event's selection goes through the same query planner and subgraph calls, its
  // lookup query prepared once per subscription (createQueryPreparer).
  const execute = createOperationExecutor(apollo);
  let liveUpdates: LiveUpdates | undefined;
  if (nats && live) {
    liveUpdates = await startLiveUpdates({
      nats,
      prepareQuery: createQueryPreparer(gateway, { validationRules, formatError, logger }),
      limits: { maxDepth: env.GATEWAY_MAX_DEPTH, maxAliases: env.GATEWAY_MAX_ALIASES, maxCost: env.GATEWAY_MAX_COST },
      maxSubscriptionsPerConnection: live.maxSubscriptionsPerConnection,
      maxQueuedEvents: live.maxQueuedEvents,
      logger,
      registry: metrics.registry,
    });
  }
  const webSocket = serveGraphQLOverWebSocket({
    httpServer,
    path: '/graphql',
    ...socketLimitsOf(env),
    trustedProxies: env.GATEWAY_TRUSTED_PROXIES,
    verifyToken,
    revocations: { list: revocations.list },
    documents: trustedDocuments,
    buildContext,
    execute,
    ...(liveUpdates ? { subscribe: liveUpdates.subscribe } : {}),
    schema: () => apiSchema,
    formatError,
    logger,
  });

  const url = boundUrl(httpServer, env.GATEWAY_HOST, '/graphql');
  serving = true;
  logger.info({ url, subgraphs }, 'gateway ready');
  return {
    url,
    httpServer,
    close: async () => {
      revocations.stop();
      await webSocket.close();
      await liveUpdates?.close();
      await nats?.close();
      await apollo.stop();
      client.close();
    },
  };
}
