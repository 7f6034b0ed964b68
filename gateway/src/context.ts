import { randomUUID } from 'node:crypto';
import { bearerToken, TokenError, type TokenVerifier, type Viewer } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import { AppError, type RequestContext } from '@jobplatform/service-runtime';

/** Per-request state at the gateway: who is asking, and what to pass on to subgraphs. */
export type GatewayContext = RequestContext;

/** What an operation says about its caller, whether it arrived over HTTP or over the socket. */
export type Caller = {
  requestId: string;
  clientIp: string | undefined;
  userAgent: string | undefined;
  /** The `Authorization` value: the HTTP header, or the socket's connection_init payload. */
  authorization: string | undefined;
};

export type ContextBuilder = (caller: Caller) => Promise<GatewayContext>;

async function viewerFrom(verifyToken: TokenVerifier, token: string | undefined): Promise<Viewer | undefined> {
  if (!token) return undefined;
  try {
    return await verifyToken(token);
  } catch (error) {
    const message = error instanceof TokenError ? error.message : 'The access token could not be verified';
    throw new AppError('UNAUTHENTICATED', message).toGraphQLError();
  }
}

/**
 * One operation's context. Its request logger (a pino child, which costs on every request) is made
 * when something logs: most operations log nothing at the gateway below warn. The getter is on the
 * prototype, because ApolloServer copies each context with Object.assign onto an object of the same
 * prototype (cloneObject): an own getter would be called by that copy, on every request.
 */
class OperationContext implements GatewayContext {
  private requestLogger: Logger | undefined;

  constructor(
    readonly requestId: string,
    readonly clientIp: string | undefined,
    readonly userAgent: string | undefined,
    readonly viewer: Viewer | undefined,
    readonly accessToken: string | undefined,
    private readonly baseLogger: Logger,
  ) {}

  get logger(): Logger {
    return (this.requestLogger ??= this.baseLogger.child({ requestId: this.requestId }));
  }
}

/**
 * Builds the context of one operation. HTTP and the socket both use it, per operation, so a
 * socket's token is checked again (expiry, and whatever else the verifier checks) each time.
 */
export function createContextBuilder(verifyToken: TokenVerifier, logger: Logger): ContextBuilder {
  return async ({ requestId, clientIp, userAgent, authorization }) => {
    const accessToken = bearerToken(authorization);
    const viewer = await viewerFrom(verifyToken, accessToken);
    return new OperationContext(requestId, clientIp, userAgent?.slice(0, 255), viewer, accessToken, logger);
  };
}

/**
 * The context of one more operation by the caller of `context`, with a request id of its own (for
 * the subgraphs' logs), for each event of a subscription. The token was verified when the
 * subscription arrived; it is not verified again per event: the socket closes with 4401 at the
 * token's expiry and with 4403 on its revocation, and SocketConnection.isAuthorized() is asked
 * before each event for the moments between.
 */
export function nextContextOf(context: GatewayContext, logger: Logger): GatewayContext {
  return new OperationContext(randomUUID(), context.clientIp, context.userAgent, context.viewer, context.accessToken, logger);
}
