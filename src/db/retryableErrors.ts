/**
 * Why a database failure is worth retrying: the same work may well succeed a moment later,
 * on another connection, once a lock is free or the server answers again.
 */
export type RetryableReason =
  | 'statement timeout'
  | 'lock timeout'
  | 'deadlock'
  | 'serialization failure'
  | 'too many connections'
  | 'pool exhausted'
  | 'transaction timeout'
  | 'no answer'
  | 'connection lost'
  | 'database unreachable';

/** PostgreSQL SQLSTATEs, as pg reports them and as Prisma's pg adapter keeps them (`originalCode`). */
const BY_SQLSTATE: Record<string, RetryableReason> = {
  '57014': 'statement timeout', // query_canceled: statement_timeout, or a cancel request
  '55P03': 'lock timeout', // lock_not_available: lock_timeout, or NOWAIT
  '40P01': 'deadlock',
  '40001': 'serialization failure',
  '53300': 'too many connections',
  '57P01': 'connection lost', // admin_shutdown: the server stops, or pg_terminate_backend
  '57P02': 'connection lost', // crash_shutdown
  '57P03': 'database unreachable', // cannot_connect_now: starting up or in recovery
  '25P03': 'transaction timeout', // idle_in_transaction_session_timeout ended the session
};

/** The kinds Prisma's driver adapters map driver errors to (the `cause` of a DriverAdapterError). */
const BY_ADAPTER_KIND: Record<string, RetryableReason> = {
  TransactionWriteConflict: 'serialization failure',
  TooManyConnections: 'too many connections',
  ConnectionClosed: 'connection lost',
  DatabaseNotReachable: 'database unreachable',
  SocketTimeout: 'no answer',
};

/** Prisma's error codes (PrismaClientKnownRequestError), where the code alone tells. */
const BY_PRISMA_CODE: Record<string, RetryableReason> = {
  P1001: 'database unreachable',
  P1002: 'database unreachable',
  P1008: 'no answer',
  P1017: 'connection lost',
  P2024: 'pool exhausted',
  P2034: 'serialization failure', // "write conflict or a deadlock"
  P2037: 'too many connections',
};

/** Messages of pg and pg-pool errors that carry no code. */
const BY_DRIVER_MESSAGE: Record<string, RetryableReason> = {
  'timeout exceeded when trying to connect': 'pool exhausted',
  'Query read timeout': 'no answer',
  'Connection terminated unexpectedly': 'connection lost',
  'Client has encountered a connection error and is not queryable': 'connection lost',
  'Connection terminated due to connection timeout': 'database unreachable',
};

const BY_SOCKET_CODE: Record<string, RetryableReason> = {
  ECONNRESET: 'connection lost',
  EPIPE: 'connection lost',
  ECONNREFUSED: 'database unreachable',
  EHOSTUNREACH: 'database unreachable',
  ETIMEDOUT: 'no answer',
};

/**
 * Why `error` is a transient database failure, or null when retrying would fail the same way
 * (a constraint, a bug, bad input) or it is no database error at all. Looks through Prisma's
 * wrapping: a raw query's failure is P2010 with the driver's error in `meta.driverAdapterError`,
 * a model query's arrives as the DriverAdapterError itself, and pg-pool's and pg's own errors
 * pass through as plain Errors, sometimes with their cause in `cause`.
 *
 * Retrying is safe for reads, and for a transaction, which the failure rolled back. A single
 * write that got no answer or lost its connection may have been committed all the same: retry
 * it only under an idempotency key.
 */
export function retryableReason(error: unknown): RetryableReason | null {
  return reasonOf(error, 0);
}

export function isRetryableDatabaseError(error: unknown): boolean {
  return retryableReason(error) !== null;
}

function reasonOf(error: unknown, depth: number): RetryableReason | null {
  if (depth > 4 || typeof error !== 'object' || error === null) return null;
  const { code, originalCode, kind, message, meta, cause } = error as Record<string, unknown>;
  const found =
    (typeof code === 'string' && (BY_PRISMA_CODE[code] ?? BY_SQLSTATE[code] ?? BY_SOCKET_CODE[code] ?? connectionException(code))) ||
    (typeof originalCode === 'string' && (BY_SQLSTATE[originalCode] ?? connectionException(originalCode))) ||
    (typeof kind === 'string' && BY_ADAPTER_KIND[kind]) ||
    (code === 'P2028' && typeof message === 'string' && transactionTimedOut(message)) ||
    (error instanceof Error && BY_DRIVER_MESSAGE[error.message]);
  if (found) return found;
  const wrapped = typeof meta === 'object' && meta !== null ? (meta as { driverAdapterError?: unknown }).driverAdapterError : undefined;
  return reasonOf(wrapped, depth + 1) ?? reasonOf(cause, depth + 1);
}

/** SQLSTATE class 08, connection exception: the connection failed or was refused. */
function connectionException(sqlState: string): RetryableReason | undefined {
  return /^08[0-9A-Z]{3}$/.test(sqlState) ? 'connection lost' : undefined;
}

/**
 * P2028, "Transaction API error", also covers misuse (a closed or unknown transaction, an invalid
 * isolation level), which a retry repeats: only running out of time is transient.
 */
function transactionTimedOut(message: string): RetryableReason | undefined {
  return /expired transaction|Unable to start a transaction in the given time/.test(message) ? 'transaction timeout' : undefined;
}
