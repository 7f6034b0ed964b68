import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** How a subgraph executes operations: compiled by graphql-jit (the default), or graphql-js' interpreter. */
export type GraphQLExecutorKind = 'compiled' | 'graphql-js';
export const graphQLExecutorKinds = ['compiled', 'graphql-js'] as const;

export type OperationToExecute = {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  contextValue: unknown;
};

export type CompiledExecution = {
  execute(operation: OperationToExecute): Promise<ExecutionResult>;
  /** How many (document, operation name) pairs were compiled so far: each is compiled once. */
  readonly compilations: number;
};

/**
 * Executes operations with graphql-jit: each document is compiled once into a function that
 * resolves exactly its selections (no per-field argument coercion, type dispatch or result objects
 * without a prototype, which is where graphql-js spends its time on long lists), then run for every
 * request that sends it. Apollo Server keeps one parsed and validated DocumentNode per query text,
 * so compiled operations are kept per document object and leave with it.
 *
 * Resolvers, context, errors and their extensions are the same as graphql-js'. A request that fails
 * before any resolver runs (variables that do not coerce, an unknown operation name) is executed
 * again by graphql-js, so clients get its exact messages, which Apollo Server recognises as
 * BAD_USER_INPUT.
 */
export function createCompiledExecution(schema: GraphQLSchema, onCompile: () => void = () => undefined): CompiledExecution {
  const byDocument = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();
  let compilations = 0;
  const compiledFor = (document: DocumentNode, operationName: string | null | undefined) => {
    let byName = byDocument.get(document);
    if (!byName) {
      byName = new Map();
      byDocument.set(document, byName);
    }
    const key = operationName ?? '';
    let compiled = byName.get(key);
    if (!compiled) {
      compiled = compileQuery(schema, document, operationName ?? undefined);
      compilations += 1;
      onCompile();
      byName.set(key, compiled);
    }
    return compiled;
  };
  const interpreted = (operation: OperationToExecute) =>
    execute({
      schema,
      document: operation.document,
      operationName: operation.operationName,
      variableValues: operation.variables,
      contextValue: operation.contextValue,
    }) as Promise<ExecutionResult> | ExecutionResult;

  return {
    async execute(operation) {
      const compiled = compiledFor(operation.document, operation.operationName);
      if (!isCompiledQuery(compiled)) return interpreted(operation);
      const result = await compiled.query(undefined, operation.contextValue, operation.variables ?? {});
      // No data at all: refused before any resolver ran, so graphql-js can run it again for its own words.
      if (result.data === undefined && result.errors?.length) return interpreted(operation);
      return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
    },
    get compilations() {
      return compilations;
    },
  };
}

/**
 * graphql-jit's errors are GraphQLErrors (by prototype) without `extensions` when the resolver
 * threw a plain error; graphql-js always gives them an object, and Apollo Server reads its `code`.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  return Object.create(error, { extensions: { value: {}, enumerable: true } }) as GraphQLError;
}

/**
 * Apollo Server hands execution to a custom executor only through its gateway interface; this one
 * serves the subgraph's own schema (loaded once, never updated) and executes with graphql-jit.
 */
export function compiledExecutionGateway(schema: GraphQLSchema, execution: CompiledExecution = createCompiledExecution(schema)): GatewayInterface {
  const executor: GatewayExecutor = (requestContext) =>
    execution.execute({
      document: requestContext.document,
      operationName: requestContext.request.operationName,
      variables: requestContext.request.variables,
      contextValue: requestContext.context,
    });
  return {
    onSchemaLoadOrUpdate(callback) {
      // A subgraph's schema is not a supergraph: there is no core SDL to report.
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}
