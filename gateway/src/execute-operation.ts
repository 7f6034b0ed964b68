import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import {
  getOperationAST,
  GraphQLError,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Logger } from '@jobplatform/config';
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

/** A query validated once, run with new variables as often as needed (PreparedQueries). */
export type PreparedQuery = (variables: Record<string, unknown>, context: GatewayContext) => Promise<FormattedExecutionResult>;

/**
 * Validates a parsed query once against the API schema with the gateway's validation rules, and
 * answers with the function that runs it, or the validation errors.
 */
export type QueryPreparer = (document: DocumentNode, schema: GraphQLSchema) => PreparedQuery | readonly GraphQLError[];

/** What @apollo/gateway's executor takes: the request context ApolloServer would have built. */
type GatewayRequestContext = Parameters<ApolloGateway['executor']>[0];

/**
 * Apollo Server's error handling of a result, as it applies to every response: an error without a
 * code is an internal one, and every error goes through the gateway's formatError (masking).
 */
function formatErrorsOf(errors: readonly GraphQLError[], formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError): GraphQLFormattedError[] {
  return errors.map((error) => {
    const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error), { originalError: error as Error });
    const { stacktrace: _stack, ...extensions } = graphqlError.extensions as Record<string, unknown>;
    return formatError({ ...graphqlError.toJSON(), extensions: { ...extensions, code: extensions.code ?? 'INTERNAL_SERVER_ERROR' } }, error);
  });
}

/**
 * Queries that run many times with only their variables changing (the lookup of each event of a
 * subscription) go straight to @apollo/gateway's executor, the query planner and the subgraph
 * calls behind POST /graphql, with the document parsed, validated and hashed once. What
 * ApolloServer would redo on every run (hashing the text, the document cache, validation, the
 * plugins' hooks) is done here once per document; the plan is the gateway's cached one, variables
 * are coerced on every run, and errors are masked by the same formatError.
 */
export function createQueryPreparer(
  gateway: Pick<ApolloGateway, 'executor'>,
  options: { validationRules: readonly ValidationRule[]; formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError; logger: Logger },
): QueryPreparer {
  return (document, schema) => {
    const invalid = validate(schema, document, [...specifiedRules, ...options.validationRules]);
    if (invalid.length > 0) return invalid;
    const operation = getOperationAST(document);
    if (!operation || operation.operation !== 'query') return [new GraphQLError('createQueryPreparer: one query operation expected')];
    const source = print(document);
    const queryHash = createHash('sha256').update(source).digest('hex');
    const operationName = operation.name?.value;
    return async (variables, context) => {
      // What @apollo/gateway's executor reads of ApolloServer's request context (it reads no schemaHash).
      const requestContext = {
        request: { query: source, variables, ...(operationName ? { operationName } : {}) },
        document,
        source,
        queryHash,
        operation,
        operationName: operationName ?? null,
        schema,
        context,
        logger: options.logger,
        metrics: {},
        cache: undefined,
        overallCachePolicy: undefined,
      } as unknown as GatewayRequestContext;
      const result = await gateway.executor(requestContext);
      return {
        ...(result.data !== undefined ? { data: result.data } : {}),
        ...(result.errors?.length ? { errors: formatErrorsOf(result.errors, options.formatError) } : {}),
      };
    };
  };
}
