import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { trace } from '../observability/tracing';
import { createRowReader, type ReadRows } from './rowReader';
import { endStatementSpan, isTracedStatement, startStatementSpan } from './statementSpans';
import type { DatabaseTimeouts } from '../config';
import { beforeDeadline, PAST_DEADLINE } from '../deadline';
import { PrismaClient } from '../generated/prisma/client';
import { superviseConnections } from './connectionSupervision';

/** What the database driver has actually sent: the ground truth for batching tests and benchmarks. */
export interface DriverStats {
  statements: number;
}

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  /** SQL straight through the pool, for the hot read paths (src/db/rowReader.ts). */
  readRows: ReadRows;
  stats: DriverStats;
  /** True when a trivial query answers within `timeoutMs`. */
  isReachable(timeoutMs?: number): Promise<boolean>;
  /**
   * Ends the pool, waiting for checked-out connections to come back until `deadline` (ms since
   * the epoch; default: the longest a healthy transaction keeps one), then closing those still
   * open without waiting for the server. Resolves to true when everything closed in order.
   * A second call gets the first one's outcome.
   */
  close(options?: { deadline?: number }): Promise<boolean>;
}

export interface DatabaseOptions {
  connectionString: string;
  poolSize: number;
  timeouts: DatabaseTimeouts;
}

/**
 * How long the client waits for any answer: longer than the statement timeout, so that
 * PostgreSQL cancels a slow statement itself (a clean error, the connection kept), and only a
 * server or network that stopped answering altogether meets this one.
 */
export function clientQueryTimeoutMs(timeouts: DatabaseTimeouts): number {
  return timeouts.statementTimeoutMs + 1_000;
}

/**
 * A pool and a Prisma client over it, both bounded in time: no statement, lock wait, wait for a
 * connection or transaction lasts longer than `timeouts` allow, even when the server hangs.
 *
 * The server-side limits travel as startup parameters, so they hold from each connection's
 * first statement. The embedded PGlite ignores them (its socket server answers the startup
 * itself; and a SET would be worse: idle_in_transaction_session_timeout set that way wedges
 * its single session for good). There, a wait behind another connection's transaction is
 * still bounded by the client-side query timeout, but a long statement is not: PGlite runs it
 * in the thread of the process that started it (the gateway's, with `npm start`), where no
 * timer fires until it ends.
 */
export function connectDatabase({ connectionString, poolSize, timeouts }: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    statement_timeout: timeouts.statementTimeoutMs,
    lock_timeout: timeouts.lockTimeoutMs,
    // A session idle inside a transaction for as long as a whole transaction may last has lost
    // its client (hung, or cut off): the server ends it and frees the rows it locked.
    idle_in_transaction_session_timeout: timeouts.transactionTimeoutMs,
    query_timeout: clientQueryTimeoutMs(timeouts),
    connectionTimeoutMillis: timeouts.acquireTimeoutMs,
  });
  const stats = countStatements(pool);
  const connections = superviseConnections(pool);
  // An idle client can lose its connection (database restart): log-worthy, never fatal.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    // Prisma 6.19 lets a transaction's start run past maxWait and only then fails it (P2028):
    // the pool's connection timeout and the query timeout are what bound the wait itself.
    transactionOptions: { maxWait: timeouts.acquireTimeoutMs, timeout: timeouts.transactionTimeoutMs },
  });
  // A checked-out connection is back by then, unless broken: a transaction's last statement
  // may start just before its timeout and wait for its answer that long again.
  const longestCheckoutMs = timeouts.transactionTimeoutMs + clientQueryTimeoutMs(timeouts);
  let closing: Promise<boolean> | undefined;
  return {
    prisma,
    pool,
    readRows: createRowReader(pool),
    stats,
    async isReachable(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const probe = pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close({ deadline = Date.now() + longestCheckoutMs } = {}) {
      closing ??= (async () => {
        const ended = (async () => {
          await prisma.$disconnect();
          await pool.end();
        })();
        if ((await beforeDeadline(ended, deadline)) !== PAST_DEADLINE) return true;
        connections.destroyAll();
        return false;
      })();
      return closing;
    },
  };
}

/**
 * Counts every statement each pooled connection sends, by wrapping `client.query` once per
 * connection (not per query), so Prisma's queries, transactions and raw SQL are all seen; and
 * gives each a span of the active trace (the row reader makes its own: see rowReader.ts).
 */
function countStatements(pool: pg.Pool): DriverStats {
  const stats: DriverStats = { statements: 0 };
  pool.on('connect', (client) => {
    const query = client.query as (...a: unknown[]) => unknown;
    client.query = function countedQuery(this: pg.PoolClient, ...args: unknown[]) {
      stats.statements += 1;
      const config = args[0];
      if (isTracedStatement(config) || !trace.getActiveSpan()) return query.apply(this, args);
      const span = startStatementSpan(typeof config === 'string' ? config : (config as { text?: string }).text);
      const callback = args.findIndex((arg) => typeof arg === 'function');
      if (callback >= 0) {
        const done = args[callback] as (error: Error | null, result?: pg.QueryResult) => void;
        args[callback] = (error: Error | null, result?: pg.QueryResult) => {
          endStatementSpan(span, error, result);
          done(error, result);
        };
        return query.apply(this, args);
      }
      const result = query.apply(this, args);
      if (!(result instanceof Promise)) {
        // A submittable (a cursor, a stream) reports its rows itself: its span marks its start.
        endStatementSpan(span, null);
        return result;
      }
      return (result as Promise<pg.QueryResult>).then(
        (value) => (endStatementSpan(span, null, value), value),
        (error: Error) => {
          endStatementSpan(span, error);
          throw error;
        },
      );
    } as typeof client.query;
  });
  return stats;
}
