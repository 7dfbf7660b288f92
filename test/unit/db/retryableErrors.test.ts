import { DatabaseError } from 'pg';
import { isRetryableDatabaseError, retryableReason } from '../../../src/db/retryableErrors';
import { Prisma } from '../../../src/generated/prisma/client';

/**
 * The errors below have the shapes observed through this project's stack (Prisma 6.19 client
 * engine, @prisma/adapter-pg, pg 8.23, pg-pool) against PostgreSQL 15, a proxy that froze or cut
 * the connection, and a fake server refusing with 53300; the integration tests in
 * test/integration/databaseTimeouts.test.ts produce the main ones for real.
 */
const clientVersion = '6.19.3';

/** PostgreSQL's error as the pg adapter keeps it: the `cause` of a DriverAdapterError. */
const postgres = (code: string, message: string, severity = 'ERROR') => ({
  originalCode: code,
  originalMessage: message,
  kind: 'postgres',
  code,
  severity,
  message,
  detail: undefined,
  column: undefined,
  hint: undefined,
});

/** What the pg adapter throws: its message is the driver's, or the kind when it mapped one. */
const driverAdapterError = (cause: Record<string, unknown>) =>
  Object.assign(new Error(typeof cause.message === 'string' ? cause.message : String(cause.kind)), { name: 'DriverAdapterError', cause });

/** A model query's failure the client did not map to a P code: the adapter's error, stamped with the client version. */
const modelQueryError = (cause: Record<string, unknown>) => Object.assign(driverAdapterError(cause), { clientVersion });

/** A raw query's failure ($queryRaw, $executeRaw): always P2010, the adapter's error in meta. */
const rawQueryError = (cause: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(
    `\nInvalid \`prisma.$queryRaw()\` invocation:\n\n\nRaw query failed. Code: \`${String(cause.originalCode ?? 'N/A')}\`. Message: \`${String(cause.originalMessage ?? cause.kind)}\``,
    { code: 'P2010', clientVersion, meta: { driverAdapterError: driverAdapterError(cause) } },
  );

const knownRequestError = (code: string, message: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion, ...(meta ? { meta } : {}) });

/** pg's DatabaseError, as pool.query and a checked-out client reject with. */
const pgDatabaseError = (code: string, message: string, severity = 'ERROR') =>
  Object.assign(new DatabaseError(message, message.length + 20, 'error'), { severity, code });

/** pg and pg-pool errors without a code; those passing through Prisma get its clientVersion. */
const plainError = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('retryableReason', () => {
  it.each([
    [
      'a raw query cancelled by statement_timeout (P2010, 57014)',
      rawQueryError(postgres('57014', 'canceling statement due to statement timeout')),
      'statement timeout',
    ],
    ['pool.query cancelled by statement_timeout', pgDatabaseError('57014', 'canceling statement due to statement timeout'), 'statement timeout'],
    ['a raw query past lock_timeout (P2010, 55P03)', rawQueryError(postgres('55P03', 'canceling statement due to lock timeout')), 'lock timeout'],
    [
      'a model query past lock_timeout (a bare DriverAdapterError)',
      modelQueryError(postgres('55P03', 'canceling statement due to lock timeout')),
      'lock timeout',
    ],
    ['a raw query in a deadlock (P2010, 40P01)', rawQueryError(postgres('40P01', 'deadlock detected')), 'deadlock'],
    ['a model query in a deadlock', modelQueryError(postgres('40P01', 'deadlock detected')), 'deadlock'],
    [
      'a raw query failing serialization (P2010, TransactionWriteConflict)',
      rawQueryError({ originalCode: '40001', originalMessage: 'could not serialize access due to concurrent update', kind: 'TransactionWriteConflict' }),
      'serialization failure',
    ],
    [
      'a model write failing serialization (P2034)',
      knownRequestError('P2034', 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction', {
        modelName: 'Product',
        driverAdapterError: driverAdapterError({
          originalCode: '40001',
          originalMessage: 'could not serialize access due to concurrent update',
          kind: 'TransactionWriteConflict',
        }),
      }),
      'serialization failure',
    ],
    [
      'a raw query refused with too many connections (P2010, TooManyConnections)',
      rawQueryError({
        originalCode: '53300',
        originalMessage: 'sorry, too many clients already',
        kind: 'TooManyConnections',
        cause: 'sorry, too many clients already',
      }),
      'too many connections',
    ],
    [
      'a model query or transaction refused with too many connections (P2037)',
      knownRequestError('P2037', 'Too many database connections opened: sorry, too many clients already', {
        driverAdapterError: driverAdapterError({
          originalCode: '53300',
          originalMessage: 'sorry, too many clients already',
          kind: 'TooManyConnections',
          cause: 'sorry, too many clients already',
        }),
      }),
      'too many connections',
    ],
    ['pool.query refused with too many connections', pgDatabaseError('53300', 'sorry, too many clients already', 'FATAL'), 'too many connections'],
    [
      'a raw query on a terminated backend (P2010, 57P01)',
      rawQueryError(postgres('57P01', 'terminating connection due to administrator command', 'FATAL')),
      'connection lost',
    ],
    ['pool.query on a terminated backend', pgDatabaseError('57P01', 'terminating connection due to administrator command', 'FATAL'), 'connection lost'],
    ['a connection exception (class 08)', pgDatabaseError('08006', 'connection failure', 'FATAL'), 'connection lost'],
    [
      'a session ended by idle_in_transaction_session_timeout',
      pgDatabaseError('25P03', 'terminating connection due to idle-in-transaction timeout', 'FATAL'),
      'transaction timeout',
    ],
    ['a query on a connection reset by the network (P2010, ConnectionClosed)', rawQueryError({ kind: 'ConnectionClosed' }), 'connection lost'],
    ['a model query on a connection the server closed (P1017)', knownRequestError('P1017', 'Server has closed the connection.'), 'connection lost'],
    ['a query on a connection closed mid-way', plainError('Connection terminated unexpectedly', { clientVersion }), 'connection lost'],
    ['a query on a client that already failed', plainError('Client has encountered a connection error and is not queryable'), 'connection lost'],
    ['a query no answer came for (pg query_timeout)', plainError('Query read timeout', { clientVersion }), 'no answer'],
    ['a transaction whose statement got no answer', plainError('Query read timeout'), 'no answer'],
    [
      'a new connection that did not connect in time',
      plainError('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly'), clientVersion }),
      'database unreachable',
    ],
    [
      'a raw query with the server down (P2010, DatabaseNotReachable)',
      rawQueryError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 }),
      'database unreachable',
    ],
    [
      'a transaction with the server down (P1001)',
      knownRequestError('P1001', "Can't reach database server at 127.0.0.1:1", {
        driverAdapterError: driverAdapterError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 }),
      }),
      'database unreachable',
    ],
    ['a socket timeout (P1008)', knownRequestError('P1008', 'Operations timed out'), 'no answer'],
    ['a wait for a pooled connection that timed out', plainError('timeout exceeded when trying to connect', { clientVersion }), 'pool exhausted'],
    ['a transaction that could not get a connection in time', plainError('timeout exceeded when trying to connect'), 'pool exhausted'],
    [
      "the library engine's pool timeout (P2024)",
      knownRequestError('P2024', 'Timed out fetching a new connection from the connection pool.'),
      'pool exhausted',
    ],
    [
      'a transaction that ran out of time (P2028, expired)',
      knownRequestError(
        'P2028',
        'Transaction API error: A query cannot be executed on an expired transaction. The timeout for this transaction was 700 ms, however 867 ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.',
        { operation: 'query', timeout: 700, timeTaken: 867 },
      ),
      'transaction timeout',
    ],
    // Not observed here (the pool's own acquire timeout fires first): Prisma 6.19's message for it.
    [
      'a transaction that could not start within maxWait (P2028)',
      knownRequestError('P2028', 'Transaction API error: Unable to start a transaction in the given time.'),
      'transaction timeout',
    ],
    ['a socket reset seen raw', plainError('read ECONNRESET', { code: 'ECONNRESET', errno: -104, syscall: 'read' }), 'connection lost'],
  ])('recognises %s', (_name, error, reason) => {
    expect(retryableReason(error)).toBe(reason);
    expect(isRetryableDatabaseError(error)).toBe(true);
  });

  it.each([
    [
      'a unique violation (P2002)',
      knownRequestError('P2002', 'Unique constraint failed on the fields: (`sku`)', {
        modelName: 'Product',
        driverAdapterError: driverAdapterError({
          originalCode: '23505',
          originalMessage: 'duplicate key value violates unique constraint "Product_sku_key"',
          kind: 'UniqueConstraintViolation',
          constraint: { fields: ['sku'] },
        }),
      }),
    ],
    [
      'a raw query violating a check constraint (P2010, 23514)',
      rawQueryError(postgres('23514', 'new row for relation "InventoryLevel" violates check constraint')),
    ],
    ['a syntax error', pgDatabaseError('42601', 'syntax error at or near "SELEC"')],
    ['a raw query returning a type Prisma cannot read (P2010, UnsupportedNativeDataType)', rawQueryError({ kind: 'UnsupportedNativeDataType', type: 'void' })],
    [
      'a transaction already closed (P2028, misuse)',
      knownRequestError('P2028', 'Transaction API error: Transaction already closed: A query cannot be executed on a committed transaction.'),
    ],
    ['a record not found (P2025)', knownRequestError('P2025', 'No record was found for an update.')],
    ['a pool this process closed itself', plainError('Connection terminated')],
    ['an error that is not the database', new Error('stock level 7 changed under its lock')],
    ['a string', 'Query read timeout'],
    ['nothing', undefined],
  ])('does not retry %s', (_name, error) => {
    expect(retryableReason(error)).toBeNull();
    expect(isRetryableDatabaseError(error)).toBe(false);
  });
});
