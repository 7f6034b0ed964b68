import { classifyFailure, isTransientFailure } from './transient-failures.js';

/** A Prisma error as @prisma/client 7 throws it over @prisma/adapter-pg (shapes seen against PostgreSQL 18). */
function prismaError(code: string, message: string, driverCause?: Record<string, unknown>): Error {
  const error = Object.assign(new Error(message), {
    code,
    meta: driverCause ? { driverAdapterError: Object.assign(new Error('driver'), { name: 'DriverAdapterError', cause: driverCause }) } : {},
  });
  error.name = 'PrismaClientKnownRequestError';
  return error;
}

/** A node-postgres DatabaseError. */
function pgError(code: string, message: string, severity = 'ERROR'): Error {
  return Object.assign(new Error(message), { code, severity });
}

describe('transient failures', () => {
  it.each([
    ['pg: connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' })],
    ['pg: several addresses refused (AggregateError)', new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], 'connect failed')],
    ['pg: connection ended under a query', new Error('Connection terminated unexpectedly')],
    ['pg: a client that lost its connection, used again', new Error('Client has encountered a connection error and is not queryable')],
    ['pg-pool: no connection in time', new Error('timeout exceeded when trying to connect')],
    ['pg: server shutting down', pgError('57P01', 'terminating connection due to administrator command', 'FATAL')],
    ['pg: database not accepting connections (FATAL 55000)', pgError('55000', 'database "x" is not currently accepting connections', 'FATAL')],
    ['pg: too many connections', pgError('53300', 'sorry, too many clients already', 'FATAL')],
    ['pg: serialisation failure', pgError('40001', 'could not serialize access due to concurrent update')],
    ['pg: deadlock', pgError('40P01', 'deadlock detected')],
    ['pg: lock not available', pgError('55P03', 'canceling statement due to lock timeout')],
    ['pg: statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
    [
      'prisma: cannot reach the server (P1001)',
      prismaError('P1001', "Can't reach database server at 127.0.0.1:42033", { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 42033 }),
    ],
    [
      'prisma: raw query on an unreachable server (P2010)',
      prismaError('P2010', "Raw query failed. Code: `N/A`. Message: `Can't reach database server`", { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 42033 }),
    ],
    [
      'prisma: connection terminated in a raw query (P2010, 57P01)',
      prismaError('P2010', 'Raw query failed. Code: `57P01`.', {
        originalCode: '57P01',
        kind: 'postgres',
        code: '57P01',
        severity: 'FATAL',
        message: 'terminating connection due to administrator command',
      }),
    ],
    [
      'prisma: database not accepting connections (P2039, 55000)',
      prismaError('P2039', 'Database error. Code: `55000`.', {
        originalCode: '55000',
        kind: 'postgres',
        code: '55000',
        severity: 'FATAL',
        message: 'database "x" is not currently accepting connections',
      }),
    ],
    [
      'prisma: statement timeout in a raw query (P2010, 57014)',
      prismaError('P2010', 'Raw query failed. Code: `57014`.', { originalCode: '57014', kind: 'postgres', code: '57014', severity: 'ERROR' }),
    ],
    [
      'prisma: write conflict or deadlock (P2034)',
      prismaError('P2034', 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction', { kind: 'TransactionWriteConflict' }),
    ],
    ['prisma: pool had no connection in time (P2028)', prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.')],
    ['prisma: server closed the connection (P1017)', prismaError('P1017', 'Server has closed the connection.', { kind: 'ConnectionClosed' })],
    ['an HTTP call whose socket timed out', new TypeError('fetch failed', { cause: Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }) })],
  ])('%s', (_case, error) => {
    expect(isTransientFailure(error)).toBe(true);
    expect(classifyFailure(error)).toBe('transient');
  });
});

describe('permanent failures', () => {
  it.each([
    ["a handler's own error", new Error('handler bug')],
    ['pg: division by zero', pgError('22012', 'division by zero')],
    ['pg: a unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['pg: the transaction aborted by an earlier statement', pgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block')],
    ['prisma: missing table (P2010, 42P01)', prismaError('P2010', 'Raw query failed. Code: `42P01`.', { originalCode: '42P01', kind: 'TableDoesNotExist', table: 't' })],
    [
      'prisma: transaction past its own timeout (P2028)',
      prismaError('P2028', 'Transaction API error: A commit cannot be executed on an expired transaction. The timeout for this transaction was 50 ms'),
    ],
    ['a value that is not an error', 'oops'],
    ['nothing', undefined],
  ])('%s', (_case, error) => {
    expect(isTransientFailure(error)).toBe(false);
    expect(classifyFailure(error)).toBe('permanent');
  });

  it('does not loop on an error that wraps itself', () => {
    const error: Error & { cause?: unknown } = new Error('loop');
    error.cause = error;
    expect(isTransientFailure(error)).toBe(false);
  });
});
