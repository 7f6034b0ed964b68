import http from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from '@jobplatform/config';
import { OTHER_LABEL, type ServiceMetrics } from './metrics.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

export type HttpAppOptions = {
  logger: Logger;
  metrics: ServiceMetrics;
  /**
   * Throws when the service cannot serve (a dependency is down); /readyz then answers 503. What it
   * returns, or the `details` of a NotReadyError it throws, is shown beside the status.
   */
  readiness?: () => Promise<void | ReadinessDetails>;
};

export type ReadinessDetails = Record<string, unknown>;

/** A readiness failure that says what is not ready, part by part. */
export class NotReadyError extends Error {
  constructor(
    message: string,
    readonly details: ReadinessDetails,
  ) {
    super(message);
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

/**
 * The route label: the pattern of the route that answered (`/healthz`) or the path a router was
 * mounted on (`/graphql`), both set by code. A request that no route or mount answered (an unknown
 * path, or a body a mount's parser refused) is `other`: the raw path is client input and would
 * make a new time series per URL.
 */
function labelRoute(req: express.Request): string {
  return req.route?.path ?? (req.baseUrl || OTHER_LABEL);
}

/**
 * What every request gets first: its id (the caller's when it looks like one, echoed in the
 * response) and its duration in the HTTP metrics, under the route `route()` names when it ends.
 */
export function beginRequest(req: http.IncomingMessage, res: http.ServerResponse, metrics: ServiceMetrics, route: () => string): string {
  const requestId = requestIdFrom(req.headers);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  const stop = metrics.httpRequestDuration.startTimer({ method: req.method ?? 'GET' });
  res.on('finish', () => stop({ route: route(), status: String(res.statusCode) }));
  return requestId;
}

/**
 * Express app with what every service exposes besides GraphQL: a request id on every request
 * (echoed in the response), /healthz (the process is alive), /readyz (it can do its work) and
 * /metrics (Prometheus).
 */
export function createHttpApp({ logger, metrics, readiness }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers are GraphQL POSTs and probes, never revalidated by a client: hashing each body for an
  // ETag would only cost CPU on every request.
  app.set('etag', false);
  app.use((req, res, next) => {
    req.requestId = beginRequest(req, res, metrics, () => labelRoute(req));
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // A probe asks every few seconds: a state is logged when it changes, not at every answer.
  let notReadyBecause: string | undefined;
  app.get('/readyz', async (_req, res) => {
    try {
      const details = await readiness?.();
      if (notReadyBecause !== undefined) logger.info('ready again');
      notReadyBecause = undefined;
      res.json({ status: 'ready', ...details });
    } catch (error) {
      if (error instanceof NotReadyError) {
        // An expected state (starting, a dependency down), said in its reason: no stack trace.
        if (error.message !== notReadyBecause) logger.warn({ reason: error.message, ...error.details }, 'not ready');
        notReadyBecause = error.message;
      } else {
        logger.warn({ err: error }, 'readiness check failed');
      }
      res.status(503).json({
        status: 'unavailable',
        reason: error instanceof Error ? error.message : 'not ready',
        ...(error instanceof NotReadyError ? error.details : {}),
      });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return app;
}

/** An error from reading a request (a body parser's, or the same kinds raised without Express). */
export type HttpError = { status?: number; statusCode?: number; type?: string; message?: string };

/**
 * The status and JSON body a GraphQL client gets for an error that happened before GraphQL: 413 for
 * an oversized body, 400 for malformed JSON, never a stack trace; anything else is logged.
 */
export function httpErrorBody(
  error: HttpError,
  logger: Logger,
  requestId: string | undefined,
): { status: number; body: { errors: { message: string; extensions: { code: string } }[] } } {
  const status = error.status ?? error.statusCode ?? 500;
  let body: { message: string; code: string };
  if (status === 413) body = { message: 'The request body is too large', code: 'PAYLOAD_TOO_LARGE' };
  else if (error.type === 'entity.parse.failed') body = { message: 'The request body is not valid JSON', code: 'BAD_REQUEST' };
  else if (status >= 400 && status < 500) body = { message: 'The request could not be read', code: 'BAD_REQUEST' };
  else {
    logger.error({ err: error, requestId }, 'unhandled HTTP error');
    body = { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' };
  }
  return { status: status >= 400 ? status : 500, body: { errors: [{ message: body.message, extensions: { code: body.code } }] } };
}

/**
 * The last middleware: turns errors from body parsing and routing into JSON a GraphQL client can
 * read (httpErrorBody), never an HTML page with a stack trace.
 */
export function installErrorHandler(app: Express, logger: Logger): void {
  app.use((error: HttpError, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const { status, body } = httpErrorBody(error, logger, req.requestId);
    res.status(status).json(body);
  });
}

/** Listens with keep-alive tuned to outlive typical proxies' idle timeouts. */
export async function listen(app: Express, port: number, host: string): Promise<http.Server> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function boundUrl(server: http.Server, host: string, path: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://${host}:${port}${path}`;
}
