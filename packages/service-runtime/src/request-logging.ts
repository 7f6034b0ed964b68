import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { Logger } from '@jobplatform/config';
import { ErrorCode } from './errors.js';

/**
 * The codes as the client receives them. By willSendResponse, formatError has already mapped each
 * error into the response body; the raw errors still lack the code an AppError carries.
 */
function sentErrorCodes(response: GraphQLResponse): string[] {
  const body = response.body;
  const errors = body?.kind === 'single' ? body.singleResult.errors : body?.initialResult.errors;
  return (errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : ErrorCode.INTERNAL_SERVER_ERROR));
}

/**
 * One JSON line per GraphQL operation: request id (shared with the gateway and every subgraph the
 * request reached), operation name and type, duration, and error codes. Never variables: they
 * may hold passwords and tokens.
 */
export function requestLoggingPlugin<TContext extends { requestId: string; viewer?: { userId: string } | undefined }>(logger: Logger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, response }) {
          if (!logger.isLevelEnabled('info')) return;
          const errorCodes = sentErrorCodes(response);
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: operationName ?? null,
              type: operation?.operation ?? null,
              userId: contextValue.viewer?.userId ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              ...(errorCodes.length ? { errorCodes } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
