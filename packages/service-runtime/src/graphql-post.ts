import type http from 'node:http';
import type express from 'express';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Logger } from '@jobplatform/config';
import { beginRequest, httpErrorBody, type HttpError } from './http-app.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * One call to /graphql, whichever way it came in: the checks before ApolloServer (the gateway's
 * signature, trusted documents) and the context builders read it, and may change its body and id.
 */
export type GraphQLCall = {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** Path and query string as the caller sent them (`/graphql?…`). */
  path: string;
  requestId: string;
  /** The body as received (empty for a GET), which the gateway's signature covers. */
  rawBody: Buffer;
  /** The parsed JSON body (undefined for a GET). */
  body: unknown;
  /** Set by the gateway-signature check: only a signed call's forwarded headers are believed. */
  signedByGateway?: boolean;
};

declare module 'express-serve-static-core' {
  interface Request {
    /** The body as received, which the gateway's signature covers. */
    rawBody?: Buffer;
    /** Whether the gateway signed this call (only then are its forwarded headers believed). */
    signedByGateway?: boolean;
  }
}

/** Answers the call itself (and returns true), e.g. to refuse it, or lets it go on (false). */
export type GraphQLCallCheck = (call: GraphQLCall) => boolean;

/** Writes a JSON body with its length, in one write. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/** A call that took Express's way (GETs, other content types), as the checks and context builders read it. */
export function expressCall(req: express.Request, res: express.Response): GraphQLCall {
  return { req, res, path: req.originalUrl, requestId: req.requestId, rawBody: req.rawBody ?? Buffer.alloc(0), body: req.body, signedByGateway: req.signedByGateway ?? false };
}

/** A check as Express middleware, for the calls that take Express's way. */
export function expressCheck(check: GraphQLCallCheck): express.RequestHandler {
  return (req, res, next) => {
    const call = expressCall(req, res);
    if (check(call)) return;
    req.requestId = call.requestId;
    req.body = call.body;
    req.signedByGateway = call.signedByGateway;
    next();
  };
}

/** "100kb", "1mb", "512": bytes, counted as Express's body parser counts them (1 kb = 1024 bytes). */
export function byteSize(limit: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (!match) throw new Error(`Not a size: ${limit} (e.g. 100kb)`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb' | 'gb'];
  return Math.floor(Number(match[1]) * unit);
}

export type GraphQLPostOptions<TContext extends BaseContext> = {
  /** The path served, `/graphql`. */
  path: string;
  apollo: ApolloServer<TContext>;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Largest accepted body, e.g. "100kb". */
  bodyLimit: string;
  checks: GraphQLCallCheck[];
  context: (call: GraphQLCall) => Promise<TContext>;
};

/** The content type Express's JSON parser reads (`application/json`, any parameters). */
const isJson = (contentType: string | undefined) => contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);

/** What Express's JSON parser accepts: an object or an array, not a bare value. */
function parseBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') throw new SyntaxError('not a JSON object or array');
  return JSON.parse(text);
}

/**
 * Serves `POST <path>` with a JSON body straight from Node's HTTP server, ahead of Express, with the
 * same request id, metrics, size limit, error bodies, checks and context as the Express way, which
 * still serves everything else (GETs, other content types, GraphiQL, health and metrics). On a small
 * operation, Express's router, body parser and `res.send` cost about a tenth of a service's CPU.
 * The server's Express app must already be its request handler; this puts itself in front of it.
 */
export function serveGraphQLPostsAhead<TContext extends BaseContext>(server: http.Server, app: express.Express, options: GraphQLPostOptions<TContext>): void {
  const limit = byteSize(options.bodyLimit);
  const fail = (call: Pick<GraphQLCall, 'req' | 'res' | 'requestId'>, error: HttpError) => {
    const { status, body } = httpErrorBody(error, options.logger, call.requestId);
    // Whatever of the body has not been read is discarded; the connection stays usable.
    call.req.resume();
    sendJson(call.res, status, body);
  };

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, search: string) => {
    const requestId = beginRequest(req, res, options.metrics, () => options.path);
    if (Number(req.headers['content-length'] ?? 0) > limit) return fail({ req, res, requestId }, { status: 413 });
    const chunks: Buffer[] = [];
    let size = 0;
    const rawBody = await new Promise<Buffer | undefined>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners('data');
          resolve(undefined);
        } else chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks, size)));
      req.on('error', reject);
    });
    if (rawBody === undefined) return fail({ req, res, requestId }, { status: 413 });
    let body: unknown;
    try {
      body = parseBody(rawBody);
    } catch {
      return fail({ req, res, requestId }, { status: 400, type: 'entity.parse.failed' });
    }
    const call: GraphQLCall = { req, res, path, requestId, rawBody, body };
    for (const check of options.checks) if (check(call)) return;

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search, body: call.body },
      context: () => options.context(call),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    // Incremental delivery (@defer): each part as it comes.
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  server.removeListener('request', app);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    if (req.method !== 'POST' || (query === -1 ? url : url.slice(0, query)) !== options.path || !isJson(req.headers['content-type'])) return app(req, res);
    serve(req, res, url, query === -1 ? '' : url.slice(query)).catch((error: unknown) => {
      if (res.headersSent) res.destroy(error as Error);
      else fail({ req, res, requestId: String(res.getHeader('x-request-id') ?? '') }, { status: 500, message: String(error) });
    });
  });
}
