import type { ApolloServer } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { GatewayContext } from './context.js';

export type OperationRequest = {
  query: string;
  operationName?: string | undefined;
  variables?: Record<string, unknown> | undefined;
  extensions?: Record<string, unknown> | undefined;
};

/** Runs one query or mutation and answers with the result as the client will see it. */
export type OperationExecutor = (request: OperationRequest, context: GatewayContext) => Promise<FormattedExecutionResult>;

/**
 * The executor behind POST /graphql, for operations that do not arrive over HTTP (the socket, and
 * later each event of a subscription). It is the same ApolloServer instance, so the query planner,
 * subgraph calls with the caller's token, the operation limits, the introspection rule, error
 * masking, logs and metrics all apply exactly as they do over HTTP.
 */
export function createOperationExecutor(apollo: ApolloServer<GatewayContext>): OperationExecutor {
  return async (request, context) => {
    const response = await apollo.executeOperation(
      {
        query: request.query,
        ...(request.operationName ? { operationName: request.operationName } : {}),
        ...(request.variables ? { variables: request.variables } : {}),
        ...(request.extensions ? { extensions: request.extensions } : {}),
      },
      { contextValue: context },
    );
    if (response.body.kind === 'single') return response.body.singleResult;
    // Incremental delivery (@defer) needs an HTTP Accept header to be chosen, so it cannot happen here.
    return { errors: [{ message: 'Incremental delivery is not supported on this transport', extensions: { code: 'BAD_REQUEST' } }] };
  };
}
