import type http from 'node:http';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { GraphQLSchema } from 'graphql';
import { Counter } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import { bearerToken, TokenError, type TokenVerifier } from '@jobplatform/auth';
import { compiledExecutionGateway, createCompiledExecution, type GraphQLExecutorKind } from './compiled-execution.js';
import { AppError, formatGraphQLError } from './errors.js';
import { HOP_SIGNATURE_HEADER, hopHeadersOf, verifyHop, type HopVerdict } from './gateway-hop.js';
import { expressCall, expressCheck, sendJson, serveGraphQLPostsAhead, type GraphQLCall, type GraphQLCallCheck } from './graphql-post.js';
import { boundUrl, createHttpApp, installErrorHandler, listen } from './http-app.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { defaultOperationLimits, operationCostPlugin, operationLimitRules, type OperationLimits } from './operation-limits.js';
import { requestLoggingPlugin } from './request-logging.js';
import { REQUEST_ID_HEADER, clientIpFrom, requestIdFrom } from './request-id.js';
import type { RequestContext } from './request-context.js';

/** Who may call the service, and whose forwarded headers it believes. */
export type GatewayHopPolicy = {
  /** The secret the gateway signs its calls with; without one, no call counts as signed. */
  secret: string | undefined;
  /** Refuse every call the gateway did not sign (production). */
  requireSigned: boolean;
};

export type GraphQLServiceOptions<TContext extends RequestContext> = {
  name: string;
  schema: GraphQLSchema;
  port: number;
  host?: string;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Adds the service's own per-request state (data loaders, clients) to the base context. */
  extendContext: (base: RequestContext) => TContext;
  readiness?: () => Promise<void>;
  introspection?: boolean;
  /** Largest accepted request body, e.g. "100kb". */
  bodyLimit?: string;
  gatewayHop: GatewayHopPolicy;
  /** Depth, alias and cost limits, the same rules as the gateway's; the platform's defaults if unset. */
  limits?: OperationLimits;
  plugins?: ApolloServerPlugin<TContext>[];
  /** How operations are executed: compiled by graphql-jit (the default) or by graphql-js' interpreter. */
  executor?: GraphQLExecutorKind;
  /** The process's Prometheus registry, when the service registers metrics of its own on it. */
  metrics?: ServiceMetrics;
  /** Extra routes mounted before /graphql (e.g. the JWKS document). */
  routes?: (app: express.Express) => void;
};

const hopProblems: Record<Exclude<HopVerdict, { signed: true }>['problem'], string> = {
  missing: 'the call is not signed',
  malformed: 'the signature is malformed',
  mismatch: 'the signature does not match the call',
  stale: 'the signature has expired',
};

/**
 * Checks the gateway's signature on a /graphql call. A signed call keeps the request id the gateway
 * forwarded; any other gets an id of its own. A badly signed call is refused everywhere; an unsigned
 * one only where signatures are required.
 */
function gatewayHopCheck(policy: GatewayHopPolicy, logger: Logger): GraphQLCallCheck {
  return (call) => {
    const { req } = call;
    const header = req.headers[HOP_SIGNATURE_HEADER];
    const verdict: HopVerdict = policy.secret
      ? verifyHop(policy.secret, Array.isArray(header) ? header[0] : header, {
          method: req.method ?? 'POST',
          path: call.path,
          ...hopHeadersOf(req.headers),
          body: call.rawBody,
        })
      : { signed: false, problem: 'missing' };
    call.signedByGateway = verdict.signed;
    if (verdict.signed) return false;
    call.requestId = requestIdFrom({});
    call.res.setHeader(REQUEST_ID_HEADER, call.requestId);
    if (verdict.problem === 'missing' && !policy.requireSigned) return false;
    logger.warn({ requestId: call.requestId, problem: verdict.problem, remoteAddress: req.socket.remoteAddress }, 'refused a call the gateway did not sign');
    sendJson(call.res, 401, {
      errors: [
        {
          message: `This service answers calls from the gateway only: ${hopProblems[verdict.problem]}. Send requests to the gateway.`,
          extensions: { code: 'UNAUTHENTICATED', reason: 'GATEWAY_SIGNATURE' },
        },
      ],
    });
    return true;
  };
}

const COMPILED_OPERATIONS = 'graphql_operations_compiled_total';

/** Counts graphql-jit's compilations: one per operation while Apollo Server keeps its parsed document, so a steady climb means documents keep changing. */
function compilationCounter(metrics: ServiceMetrics): () => void {
  const counter =
    (metrics.registry.getSingleMetric(COMPILED_OPERATIONS) as Counter | undefined) ??
    new Counter({ name: COMPILED_OPERATIONS, help: 'Operations compiled by graphql-jit (each once while its parsed document is cached)', registers: [metrics.registry] });
  return () => counter.inc();
}

export type RunningService = {
  url: string;
  httpServer: http.Server;
  close(): Promise<void>;
};

/** Starts one subgraph: Apollo Server (JSON POSTs straight from Node's server, the rest on Express), with auth, limits, logs, metrics and health. */
export async function startGraphQLService<TContext extends RequestContext>(options: GraphQLServiceOptions<TContext>): Promise<RunningService> {
  const host = options.host ?? '127.0.0.1';
  if (options.gatewayHop.requireSigned && !options.gatewayHop.secret) {
    throw new Error(`${options.name}: signed gateway calls are required, but no GATEWAY_HOP_SECRET is set`);
  }
  const limits = options.limits ?? defaultOperationLimits;
  const metrics = options.metrics ?? createMetrics(options.name);
  const app = createHttpApp({ logger: options.logger, metrics, ...(options.readiness ? { readiness: options.readiness } : {}) });
  options.routes?.(app);
  const httpServer = await listen(app, options.port, host);

  const apollo = new ApolloServer<TContext>({
    ...((options.executor ?? 'compiled') === 'compiled'
      ? { gateway: compiledExecutionGateway(options.schema, createCompiledExecution(options.schema, compilationCounter(metrics))) }
      : { schema: options.schema }),
    introspection: options.introspection ?? false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: operationLimitRules(limits),
    formatError: formatGraphQLError(options.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated traces are for Apollo's hosted reporting, which this platform does not use.
      ApolloServerPluginInlineTraceDisabled(),
      // No field carries a cache hint and no response is cached by hint; the default plugin would
      // still run a hook on every resolved field (about 4 % of analytics' CPU on JobStats).
      ApolloServerPluginCacheControlDisabled(),
      metrics.graphqlPlugin() as ApolloServerPlugin<TContext>,
      requestLoggingPlugin<TContext>(options.logger),
      operationCostPlugin<TContext>(limits.maxCost),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();

  const bodyLimit = options.bodyLimit ?? '100kb';
  const checks = [gatewayHopCheck(options.gatewayHop, options.logger)];
  const context = async (call: GraphQLCall): Promise<TContext> => {
    const accessToken = bearerToken(call.req.headers.authorization);
    let viewer;
    if (accessToken) {
      try {
        viewer = await options.verifyToken(accessToken);
      } catch (error) {
        const message = error instanceof TokenError ? error.message : 'The access token could not be verified';
        throw new AppError('UNAUTHENTICATED', message).toGraphQLError();
      }
    }
    const base: RequestContext = {
      requestId: call.requestId,
      // The address the gateway forwards, from a signed call only; otherwise whoever connected.
      clientIp: clientIpFrom(call.signedByGateway ? call.req.headers : {}, call.req.socket.remoteAddress),
      userAgent: call.req.headers['user-agent']?.slice(0, 255),
      viewer,
      accessToken,
      logger: options.logger.child({ requestId: call.requestId }),
    };
    return options.extendContext(base);
  };
  // JSON POSTs, nearly every call, skip Express; the rest (GETs, other content types) take its way.
  serveGraphQLPostsAhead(httpServer, app, { path: '/graphql', apollo, metrics, logger: options.logger, bodyLimit, checks, context });
  app.use(
    '/graphql',
    express.json({
      limit: bodyLimit,
      verify: (req, _res, body) => {
        (req as express.Request).rawBody = body;
      },
    }),
    ...checks.map(expressCheck),
    expressMiddleware(apollo, {
      context: ({ req, res }) => context(expressCall(req, res)),
    }),
  );

  installErrorHandler(app, options.logger);

  const url = boundUrl(httpServer, host, '/graphql');
  options.logger.info({ url }, `${options.name} subgraph ready`);
  return {
    url,
    httpServer,
    close: () => apollo.stop(),
  };
}
