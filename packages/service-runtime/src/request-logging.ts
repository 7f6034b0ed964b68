import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@jobplatform/config';

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
        async willSendResponse({ operationName, operation, errors }) {
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: operationName ?? null,
              type: operation?.operation ?? null,
              userId: contextValue.viewer?.userId ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              ...(errors?.length ? { errorCodes: errors.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR') } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
