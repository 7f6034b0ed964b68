import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import {
  GraphQLError,
  getOperationAST,
  parse,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { bearerToken, TokenError, type RevocationList, type TokenVerifier, type Viewer } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import { addressKeyOf, clientAddressOf } from './client-address.js';
import { DocumentRefused, type DocumentRequest, type TrustedDocuments } from './trusted-documents.js';
import type { ContextBuilder, GatewayContext } from './context.js';
import type { OperationExecutor, OperationRequest } from './execute-operation.js';

/**
 * Close codes of the gateway's socket. 4401 and 4403 are graphql-ws's Unauthorized and Forbidden;
 * 4429 (graphql-ws's "too many", which its client does not retry) refuses a user's connection over
 * the per-user cap; 1009 is sent by ws itself for a message over the size limit, before any of it is
 * parsed; 1013 (Try Again Later) closes a connection that does not take its events fast enough.
 */
export const SocketCloseCode = {
  TokenExpired: CloseCode.Unauthorized,
  Forbidden: CloseCode.Forbidden,
  TooManyConnections: CloseCode.TooManyInitialisationRequests,
  MessageTooBig: 1009,
  TooSlow: 1013,
} as const;

/** The socket an operation arrived on: one object per connection, for as long as it is open. */
export type SocketConnection = {
  close(code: number, reason: string): void;
  /**
   * Whether the token the connection signed in with still holds at this moment: not expired and
   * not revoked (true for an anonymous connection). The socket is closed with 4401 at the token's
   * expiry and with 4403 within a second of its revocation; this answers for the moments between.
   * Each event of a subscription asks it, instead of verifying the token's signature again.
   */
  isAuthorized(): boolean;
};

/**
 * One operation received over the socket, parsed, with the context of the caller who sent it (the
 * token verified as the operation arrived).
 */
export type SocketOperation = {
  request: OperationRequest;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  schema: GraphQLSchema;
  context: GatewayContext;
  connection: SocketConnection;
};

/**
 * Serves subscription operations: either the stream of results, each already resolved through the
 * OperationExecutor as the subscriber, or the errors that refuse the subscription. The module that
 * maps subscription fields to NATS subjects plugs in here; it must apply the gateway's validation
 * rules itself, since subscriptions do not go through ApolloServer.
 */
export type SubscriptionSource = (operation: SocketOperation) => Promise<AsyncIterable<FormattedExecutionResult> | readonly GraphQLError[]>;

/** Until a subscription module is plugged in, the composed schema has no Subscription type. */
export const refuseSubscriptions: SubscriptionSource = async ({ operation, schema }) => [
  new GraphQLError(schema.getSubscriptionType() ? 'Subscriptions are not served by this gateway yet' : 'The schema defines no subscriptions', {
    nodes: [operation],
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  }),
];

export type WebSocketOptions = {
  httpServer: Server;
  path: string;
  maxPayload: number;
  maxConnectionsPerAddress: number;
  /** Open sockets per signed-in user, counted once connection_init has verified their token. */
  maxConnectionsPerUser: number;
  trustedProxies: number;
  verifyToken: TokenVerifier;
  /**
   * The revocations the gateway knows of: an open connection whose token is revoked (sign-out,
   * password change, account closed) is closed with 4403 at the next check.
   */
  revocations?: { list: Pick<RevocationList, 'isRevoked'>; checkIntervalMs?: number };
  buildContext: ContextBuilder;
  /** The trusted documents: a subscribe message may name one by id (documentId, extensions.persistedQuery), and only they run when required. */
  documents?: TrustedDocuments;
  execute: OperationExecutor;
  subscribe?: SubscriptionSource;
  schema: () => GraphQLSchema | undefined;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
};

type ConnectionState = {
  /** The connection_init authorization, when it carried a verified token. */
  authorization: string;
  /** That token's viewer and expiry (ms; undefined when it has no `exp`). */
  signedInAs: { viewer: Viewer; expiresAt: number | undefined };
  stopExpiryTimer: () => void;
  releaseUserSlot: () => void;
  connection: SocketConnection;
};

/** What graphql-ws carries from onSubscribe to the execute/subscribe overrides. */
type PreparedOperation = SocketOperation & { stream?: AsyncIterable<FormattedExecutionResult> };

/**
 * How often each socket is pinged (a WebSocket ping frame; no pong within the same time terminates
 * it). graphql-ws's default is 12 s: at 10,000 sockets that is 830 pings and as many pongs a
 * second, more socket writes than 500 subscription events a second make, for a check that only
 * has to beat the idle timeouts of proxies and load balancers (commonly 60 s). 30 s does, with
 * 40 % of the pings.
 */
export const KEEP_ALIVE_MS = 30_000;

/** setTimeout fires at once for delays above 2^31-1 ms; longer waits are taken in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Closes the socket with 4401 at the token's `exp`, so the client reconnects with a fresh token. */
function closeAtExpiry(socket: WebSocket, token: string): () => void {
  const expiresAt = expiryOf(token);
  if (expiresAt === undefined) return () => {};
  let timer: NodeJS.Timeout;
  const check = () => {
    const remaining = expiresAt - Date.now();
    if (remaining > 0) {
      timer = setTimeout(check, Math.min(remaining, LONGEST_TIMER_MS)).unref();
      return;
    }
    socket.close(SocketCloseCode.TokenExpired, 'Access token expired; reconnect with a fresh token');
  };
  check();
  return () => clearTimeout(timer);
}

/**
 * Closes, every checkIntervalMs (1 s by default), the signed-in connections whose token has been
 * revoked since it was verified: a map lookup per connection, cheap even for many thousands.
 */
function closeRevokedConnections(revocations: NonNullable<WebSocketOptions['revocations']>, signedIn: Map<WebSocket, Viewer>): () => void {
  const timer = setInterval(() => {
    for (const [socket, viewer] of signedIn) {
      if (!revocations.list.isRevoked(viewer)) continue;
      signedIn.delete(socket);
      socket.close(SocketCloseCode.Forbidden, 'Access token revoked (signed out, password changed or account closed); sign in again');
    }
  }, revocations.checkIntervalMs ?? 1_000).unref();
  return () => clearInterval(timer);
}

/** The `exp` of a token that has already been verified, in milliseconds. */
function expiryOf(token: string): number | undefined {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Counts open sockets per key (a client address, a user); acquire answers undefined at the cap. */
function createConnectionLimiter(max: number) {
  const open = new Map<string, number>();
  return {
    acquire(key: string): (() => void) | undefined {
      const count = open.get(key) ?? 0;
      if (count >= max) return undefined;
      open.set(key, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
  };
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/**
 * Takes the HTTP server's upgrade requests for `path`, refusing with 429 an address that already
 * holds its share of sockets, so the refusal costs no WebSocket at all.
 */
function acceptUpgrades(options: WebSocketOptions, wsServer: WebSocketServer): () => void {
  const limiter = createConnectionLimiter(options.maxConnectionsPerAddress);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname !== options.path) {
      refuseUpgrade(socket, 404, 'Not found');
      return;
    }
    const address = clientAddressOf(request, options.trustedProxies);
    const release = limiter.acquire(address ? addressKeyOf(address) : 'unknown');
    if (!release) {
      refuseUpgrade(socket, 429, 'Too many WebSocket connections from this address');
      return;
    }
    socket.once('close', release);
    wsServer.handleUpgrade(request, socket, head, (ws) => {
      wsServer.emit('connection', ws, request);
      // graphql-ws reports every socket error with console.error, as a fault of the server. They
      // are the client's (a message over maxPayload, a malformed frame, a reset), and ws has
      // already closed the socket with the matching code (1009, 1002), so they go to the log.
      ws.removeAllListeners('error');
      ws.on('error', (error) => options.logger.debug({ err: error }, 'websocket closed on a client error'));
    });
  };
  options.httpServer.on('upgrade', onUpgrade);
  return () => options.httpServer.off('upgrade', onUpgrade);
}

/** Distinct document texts kept parsed by the socket; beyond them the oldest goes. */
export const PARSED_DOCUMENTS_KEPT = 1_000;

/**
 * Parses each document text once: clients send a handful of texts, and ten thousand subscriptions
 * of one text then share one read-only DocumentNode (and what the subscription source keeps per
 * document) instead of holding a parse, with its tokens, each.
 */
export function createDocumentParser(): (query: string) => DocumentNode {
  const parsed = new Map<string, DocumentNode>();
  return (query) => {
    let document = parsed.get(query);
    if (!document) {
      document = parse(query);
      if (parsed.size >= PARSED_DOCUMENTS_KEPT) parsed.delete(parsed.keys().next().value!);
      parsed.set(query, document);
    }
    return document;
  };
}

function parseOperation(request: OperationRequest, parseDocument: (query: string) => DocumentNode): { document: DocumentNode; operation: OperationDefinitionNode } | GraphQLError {
  let document: DocumentNode;
  try {
    document = parseDocument(request.query);
  } catch (error) {
    const syntaxError = error as GraphQLError;
    return new GraphQLError(syntaxError.message, {
      ...(syntaxError.source ? { source: syntaxError.source } : {}),
      ...(syntaxError.positions ? { positions: syntaxError.positions } : {}),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  }
  const operation = getOperationAST(document, request.operationName);
  if (!operation) {
    const message = request.operationName ? `Unknown operation named "${request.operationName}".` : 'Must provide operation name if query contains multiple operations.';
    return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
  }
  return { document, operation };
}

/**
 * graphql-ws on the gateway's HTTP server. Every query and mutation runs through the
 * OperationExecutor (ApolloServer) with a context built per operation as over HTTP; subscriptions
 * go to the SubscriptionSource. connection_init may carry `{ authorization: "Bearer <token>" }`:
 * an invalid token closes with 4403, an expired one (at connect or later) with 4401; without one
 * the connection is anonymous and reaches what anonymous HTTP requests reach.
 */
export function serveGraphQLOverWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const subscribe = options.subscribe ?? refuseSubscriptions;
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  const stopAcceptingUpgrades = acceptUpgrades(options, wsServer);
  const userConnections = createConnectionLimiter(options.maxConnectionsPerUser);
  const parseDocument = createDocumentParser();
  /** The open connections whose connection_init carried a verified token, with its viewer. */
  const signedIn = new Map<WebSocket, Viewer>();
  const connectionOf = (extra: Extra & Partial<ConnectionState>): SocketConnection =>
    (extra.connection ??= {
      close: (code, reason) => extra.socket.close(code, reason),
      isAuthorized: () => {
        const signedInAs = extra.signedInAs;
        if (!signedInAs) return extra.authorization === undefined;
        if (signedInAs.expiresAt !== undefined && signedInAs.expiresAt <= Date.now()) return false;
        return !options.revocations?.list.isRevoked(signedInAs.viewer);
      },
    });
  const buildContextOf = (extra: Extra & Partial<ConnectionState>) =>
    options.buildContext({
      requestId: randomUUID(),
      clientIp: clientAddressOf(extra.request, options.trustedProxies),
      userAgent: extra.request.headers['user-agent'],
      authorization: extra.authorization,
    });

  const stopRevocationChecks = options.revocations ? closeRevokedConnections(options.revocations, signedIn) : () => {};

  const graphqlWs = useServer<Record<string, unknown>, ConnectionState>(
    {
      // Internal errors close the socket with a generic reason, whatever NODE_ENV says.
      isProd: true,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const authorization = params.authorization ?? params.Authorization;
        if (authorization === undefined || authorization === null || authorization === '') return true;
        const refuse = (code: number, reason: string) => {
          ctx.extra.socket.close(code, reason);
          return false;
        };
        const token = typeof authorization === 'string' ? bearerToken(authorization) : undefined;
        if (!token) return refuse(SocketCloseCode.Forbidden, 'authorization must be "Bearer <access token>"');
        let viewer: Viewer;
        try {
          viewer = await options.verifyToken(token);
        } catch (error) {
          if (error instanceof TokenError && error.reason === 'expired') return refuse(SocketCloseCode.TokenExpired, error.message);
          return refuse(SocketCloseCode.Forbidden, error instanceof TokenError ? error.message : 'The access token could not be verified');
        }
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        const releaseUserSlot = userConnections.acquire(viewer.userId);
        if (!releaseUserSlot) return refuse(SocketCloseCode.TooManyConnections, `Too many open connections for this account (at most ${options.maxConnectionsPerUser})`);
        ctx.extra.releaseUserSlot = releaseUserSlot;
        ctx.extra.authorization = authorization as string;
        ctx.extra.signedInAs = { viewer, expiresAt: expiryOf(token) };
        ctx.extra.stopExpiryTimer = closeAtExpiry(ctx.extra.socket, token);
        signedIn.set(ctx.extra.socket, viewer);
        return true;
      },
      onClose: (ctx) => {
        ctx.extra.stopExpiryTimer?.();
        ctx.extra.releaseUserSlot?.();
        signedIn.delete(ctx.extra.socket);
      },
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        let query = payload.query;
        if (options.documents) {
          try {
            query = options.documents.queryOf(payload as DocumentRequest);
          } catch (error) {
            if (error instanceof DocumentRefused) return [new GraphQLError(error.message, { extensions: { code: error.code } })];
            throw error;
          }
        }
        const { persistedQuery: _named, ...extensions } = payload.extensions ?? {};
        const request: OperationRequest = {
          query,
          operationName: payload.operationName ?? undefined,
          variables: payload.variables ?? undefined,
          extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
        };
        const parsed = parseOperation(request, parseDocument);
        if (parsed instanceof GraphQLError) return [parsed];
        const schema = options.schema();
        if (!schema) return [new GraphQLError('The gateway is still loading its schema', { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
        const connection = connectionOf(ctx.extra);
        let context: GatewayContext;
        try {
          context = await buildContextOf(ctx.extra);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const prepared: PreparedOperation = { request, ...parsed, schema, context, connection };
        if (parsed.operation.operation === 'subscription') {
          const stream = await subscribe(prepared);
          if (!(Symbol.asyncIterator in stream)) return stream;
          prepared.stream = stream;
        }
        return { schema, document: parsed.document, operationName: request.operationName, variableValues: request.variables, contextValue: prepared };
      },
      // graphql-ws expects graphql-js results and formats their errors itself. Ours are already
      // formatted (masked) by ApolloServer, so they pass through as they are, in onNext below.
      execute: async (args) => {
        const { request, context } = args.contextValue as PreparedOperation;
        return (await options.execute(request, context)) as never;
      },
      subscribe: (args) => (args.contextValue as PreparedOperation).stream as never,
      onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
      // Errors raised here rather than by ApolloServer (parse, token, refused subscriptions) get
      // the same masking as every other error.
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => options.formatError(error.toJSON(), error)),
    },
    wsServer,
    KEEP_ALIVE_MS,
  );

  return {
    async close() {
      stopAcceptingUpgrades();
      stopRevocationChecks();
      await graphqlWs.dispose();
    },
  };
}
