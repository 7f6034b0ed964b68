/**
 * Which failures of a consumer's transaction say nothing about the event: the database (or a
 * connection on the way to it) was away, too busy, or made this transaction lose a race. Retrying
 * such an event later succeeds without anyone fixing anything, so it must never cost the event one
 * of its deliveries before dead letter. Every other failure (a handler's bug, a constraint, bad data)
 * is permanent: retried a few times, then dead-lettered.
 */
export type FailureKind = 'transient' | 'permanent';

/** Node's socket and DNS errors on the way to the server. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs: 57P01-03 the server shutting down or not yet accepting connections, 40001 and
 * 40P01 a serialisation failure or deadlock (the transaction lost a race; PostgreSQL asks for a
 * retry), 55P03 a lock not available in time, 57014 a statement cancelled by its timeout. 28000 and
 * 28P01 (the server refused the service's credentials) and 3D000 (no such database) are failures to
 * connect as well: no event can be applied until an operator fixes them, and none is to blame.
 */
const transientSqlStates = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '55P03', '57014', '28000', '28P01', '3D000']);
/** Whole classes: 08 connection exception, 53 insufficient resources (too many connections, disk full, out of memory). */
const transientSqlStateClasses = new Set(['08', '53']);

/**
 * Prisma's codes (https://www.prisma.io/docs/orm/reference/error-reference): P1000 authentication
 * failed, P1001 cannot reach the server, P1002 reached but timed out, P1003 no such database, P1008
 * operation timed out, P1010 access denied, P1011 TLS connection failed, P1017 server closed the
 * connection, P2024 timed out waiting for a pooled connection, P2034 write conflict or deadlock,
 * P2037 too many connections.
 */
const transientPrismaCodes = new Set(['P1000', 'P1001', 'P1002', 'P1003', 'P1008', 'P1010', 'P1011', 'P1017', 'P2024', 'P2034', 'P2037']);

/**
 * The kinds @prisma/adapter-pg gives the driver's errors (meta.driverAdapterError.cause.kind) that
 * are not about the statement.
 */
const transientAdapterKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
  'AuthenticationFailed',
  'DatabaseAccessDenied',
  'DatabaseDoesNotExist',
  'TlsConnectionError',
]);

/**
 * node-postgres's own errors, which carry no code: the connection ended under a query, a pool could
 * not connect in time, a client that lost its connection was used again.
 */
const transientMessages = /^Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Query read timeout/;

type ErrorFacts = { code?: unknown; kind?: unknown; originalCode?: unknown; severity?: unknown; message?: unknown; cause?: unknown; meta?: unknown; errors?: unknown };

function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

function isTransientCode(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  if (socketCodes.has(code) || transientPrismaCodes.has(code) || transientSqlStates.has(code)) return true;
  return isSqlState(code) && transientSqlStateClasses.has(code.slice(0, 2));
}

/** This error itself, without what it wraps. */
function isTransientItself(error: ErrorFacts): boolean {
  if (isTransientCode(error.code) || isTransientCode(error.originalCode)) return true;
  if (typeof error.kind === 'string' && transientAdapterKinds.has(error.kind)) return true;
  // A FATAL error ends the session: whatever its SQLSTATE (55000 for a database that does not accept
  // connections now), it is about the connection, not the statement.
  if (error.severity === 'FATAL' || error.severity === 'PANIC') return true;
  if (typeof error.message !== 'string') return false;
  // Prisma's P2028 is both a pool that had no connection in time (transient) and a transaction
  // past its own timeout (a handler too slow for it: not transient).
  if (error.code === 'P2028') return error.message.includes('Unable to start a transaction');
  return transientMessages.test(error.message);
}

/**
 * Whether a failure is transient: the error, or anything it wraps (Error.cause, Prisma's
 * meta.driverAdapterError and its cause, AggregateError.errors), says the connection, the server's
 * resources, a timeout or a serialisation conflict failed.
 */
export function isTransientFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const facts = current as ErrorFacts;
    if (isTransientItself(facts)) return true;
    queue.push(facts.cause);
    const meta = facts.meta as { driverAdapterError?: unknown } | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError);
    if (Array.isArray(facts.errors)) queue.push(...(facts.errors as unknown[]));
  }
  return false;
}

export function classifyFailure(error: unknown): FailureKind {
  return isTransientFailure(error) ? 'transient' : 'permanent';
}
