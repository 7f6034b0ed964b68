import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '@jobplatform/config';
import { fieldProblemsOfVariableError } from './variable-errors.js';

/** The codes a client may see in `extensions.code`. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

export type FieldProblem = { field: string; message: string };

const httpStatus: Partial<Record<ErrorCodeName, number>> = {
  UNAUTHENTICATED: 401,
  TOO_MANY_REQUESTS: 429,
};

/**
 * The one error type that rules and resolvers throw. Its code becomes `extensions.code` and its
 * message is shown to the client as is, so it must say what to do, never how the server works.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCodeName,
    message: string,
    readonly details: { fields?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }

  toGraphQLError(): GraphQLError {
    const status = httpStatus[this.code];
    return new GraphQLError(this.message, {
      extensions: {
        code: this.code,
        ...(this.details.fields ? { fields: this.details.fields } : {}),
        ...(this.details.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.details.retryAfterSeconds } : {}),
        ...(status ? { http: { status } } : {}),
      },
    });
  }
}

/** Codes that Apollo Server and graphql-js assign to request errors; safe to pass through. */
const passThroughCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  ...Object.values(ErrorCode),
]);

/**
 * Apollo's formatError hook. AppErrors keep their code and message. Errors from graphql-js
 * about the request keep theirs; a refused variable is BAD_USER_INPUT with the field it names in
 * `fields`, as the services' own input errors are. Anything else (a bug, SQL, a network failure) is
 * logged in full and reaches the client only as INTERNAL_SERVER_ERROR with no detail.
 */
export function formatGraphQLError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      const mapped = original.toGraphQLError();
      return { ...formatted, message: mapped.message, extensions: stripHttp(mapped.extensions) };
    }
    const code = formatted.extensions?.code;
    const isRequestError = !(original instanceof Error) || original instanceof GraphQLError;
    if (typeof code === 'string' && passThroughCodes.has(code) && isRequestError) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: code === ErrorCode.BAD_USER_INPUT ? withVariableFields(extensions, formatted.message) : extensions };
    }
    if (isRequestError && code === undefined && original instanceof GraphQLError && !original.originalError) {
      return { ...formatted, extensions: withVariableFields({ code: ErrorCode.BAD_USER_INPUT }, formatted.message) };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

function withVariableFields(extensions: Record<string, unknown>, message: string): Record<string, unknown> {
  if (extensions.fields) return extensions;
  const fields = fieldProblemsOfVariableError(message);
  return fields ? { ...extensions, fields } : extensions;
}

function stripHttp(extensions: Record<string, unknown>): Record<string, unknown> {
  const { http: _http, ...rest } = extensions;
  return rest;
}
