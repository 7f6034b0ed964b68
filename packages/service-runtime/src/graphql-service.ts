import type http from 'node:http';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '@jobplatform/config';
import { bearerToken, TokenError, type TokenVerifier } from '@jobplatform/auth';
import { AppError, formatGraphQLError } from './errors.js';
import { boundUrl, createHttpApp, installErrorHandler, listen } from './http-app.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { requestLoggingPlugin } from './request-logging.js';
import { clientIpFrom } from './request-id.js';
import type { RequestContext } from './request-context.js';

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
  plugins?: ApolloServerPlugin<TContext>[];
  /** The process's Prometheus registry, when the service registers metrics of its own on it. */
  metrics?: ServiceMetrics;
  /** Extra routes mounted before /graphql (e.g. the JWKS document). */
  routes?: (app: express.Express) => void;
};

export type RunningService = {
  url: string;
  httpServer: http.Server;
  close(): Promise<void>;
};

/** Starts one subgraph: Apollo Server on Express, with auth, limits, logs, metrics and health. */
export async function startGraphQLService<TContext extends RequestContext>(
  options: GraphQLServiceOptions<TContext>,
): Promise<RunningService> {
  const host = options.host ?? '127.0.0.1';
  const metrics = options.metrics ?? createMetrics(options.name);
  const app = createHttpApp({ logger: options.logger, metrics, ...(options.readiness ? { readiness: options.readiness } : {}) });
  options.routes?.(app);
  const httpServer = await listen(app, options.port, host);

  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    introspection: options.introspection ?? false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatGraphQLError(options.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated traces are for Apollo's hosted reporting, which this platform does not use.
      ApolloServerPluginInlineTraceDisabled(),
      metrics.graphqlPlugin() as ApolloServerPlugin<TContext>,
      requestLoggingPlugin<TContext>(options.logger),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '100kb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const accessToken = bearerToken(req.headers.authorization);
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
          requestId: req.requestId,
          clientIp: clientIpFrom(req.headers, req.socket.remoteAddress),
          userAgent: req.headers['user-agent']?.slice(0, 255),
          viewer,
          accessToken,
          logger: options.logger.child({ requestId: req.requestId }),
        };
        return options.extendContext(base);
      },
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
