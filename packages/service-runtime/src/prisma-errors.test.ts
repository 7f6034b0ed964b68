import { AppError } from './errors.js';
import { prismaErrorCode, rethrowPrismaError } from './prisma-errors.js';

/** What Prisma throws, by shape (each service's generated client has its own class). */
const prismaError = (code: string) => Object.assign(new Error(`failed with ${code}`), { name: 'PrismaClientKnownRequestError', code });
const thrownBy = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

it('reads the code of a Prisma known request error only', () => {
  expect(prismaErrorCode(prismaError('P2002'))).toBe('P2002');
  expect(prismaErrorCode(Object.assign(new Error('x'), { code: 'P2002' }))).toBeUndefined();
  expect(prismaErrorCode('P2002')).toBeUndefined();
});

it('turns a unique violation into CONFLICT and a missing record into NOT_FOUND', () => {
  expect(thrownBy(() => rethrowPrismaError(prismaError('P2002'), { conflict: 'That name is taken' }))).toMatchObject({ code: 'CONFLICT', message: 'That name is taken' });
  expect(thrownBy(() => rethrowPrismaError(prismaError('P2025'), { notFound: 'There is no job with that id' }))).toMatchObject({ code: 'NOT_FOUND' });
});

it('throws a given AppError as it is', () => {
  const gone = new AppError('UNAUTHENTICATED', 'The account no longer exists');
  expect(thrownBy(() => rethrowPrismaError(prismaError('P2025'), { notFound: gone }))).toBe(gone);
});

it('throws anything without an outcome unchanged', () => {
  const timeout = prismaError('P2028');
  expect(thrownBy(() => rethrowPrismaError(timeout, { conflict: 'taken', notFound: 'gone' }))).toBe(timeout);
  const unique = prismaError('P2002');
  expect(thrownBy(() => rethrowPrismaError(unique, { notFound: 'gone' }))).toBe(unique);
});
