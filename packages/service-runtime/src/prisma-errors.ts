import { AppError } from './errors.js';

/** Prisma's codes for what a client's input can cause: a taken unique value, a record gone meanwhile. */
export const PrismaErrorCode = { UNIQUE_VIOLATION: 'P2002', RECORD_NOT_FOUND: 'P2025' } as const;

/**
 * The code of a Prisma known request error (P2002, P2025, ...), or undefined for any other error.
 * Read by shape, as each service has a Prisma client of its own.
 */
export function prismaErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'PrismaClientKnownRequestError') return undefined;
  const { code } = error as Error & { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

export type PrismaErrorOutcomes = {
  /** A unique constraint refused the write: CONFLICT with this message, or this error. */
  conflict?: string | AppError;
  /** The record to change or delete no longer exists: NOT_FOUND with this message, or this error. */
  notFound?: string | AppError;
};

/**
 * Throws what a Prisma error means to the client, as given in `outcomes`; any error without an
 * outcome is thrown as it is (a bug or an outage, which the client sees only as an internal error).
 * Use as `.catch((error) => rethrowPrismaError(error, { conflict: 'That name is taken' }))`.
 */
export function rethrowPrismaError(error: unknown, outcomes: PrismaErrorOutcomes): never {
  const code = prismaErrorCode(error);
  const outcome = code === PrismaErrorCode.UNIQUE_VIOLATION ? outcomes.conflict : code === PrismaErrorCode.RECORD_NOT_FOUND ? outcomes.notFound : undefined;
  if (outcome === undefined) throw error;
  if (outcome instanceof AppError) throw outcome;
  throw new AppError(code === PrismaErrorCode.UNIQUE_VIOLATION ? 'CONFLICT' : 'NOT_FOUND', outcome);
}
