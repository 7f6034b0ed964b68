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
 * Builds the context of one operation. HTTP and the socket both use it, per operation, so a
 * socket's token is checked again (expiry, and whatever else the verifier checks) each time.
 */
export function createContextBuilder(verifyToken: TokenVerifier, logger: Logger): ContextBuilder {
  return async ({ requestId, clientIp, userAgent, authorization }) => {
    const accessToken = bearerToken(authorization);
    const viewer = await viewerFrom(verifyToken, accessToken);
    // The request's logger is made when something logs: most operations log nothing at the
    // gateway below warn, and a pino child costs on every request.
    let requestLogger: Logger | undefined;
    return {
      requestId,
      clientIp,
      userAgent: userAgent?.slice(0, 255),
      viewer,
      accessToken,
      get logger() {
        return (requestLogger ??= logger.child({ requestId }));
      },
    };
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
  const requestId = randomUUID();
  let requestLogger: Logger | undefined;
  return {
    requestId,
    clientIp: context.clientIp,
    userAgent: context.userAgent,
    viewer: context.viewer,
    accessToken: context.accessToken,
    get logger() {
      return (requestLogger ??= logger.child({ requestId }));
    },
  };
}
