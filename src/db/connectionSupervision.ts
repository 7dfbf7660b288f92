import type pg from 'pg';

export interface SupervisedConnections {
  /** Closes every open connection at once, without a word to the server; returns how many. */
  destroyAll(): number;
}

/** The error pg gives a query that got no answer within `query_timeout`. */
const NO_ANSWER = 'Query read timeout';

/**
 * Keeps a broken connection from staying in use or checked out of `pool`:
 * - a query that got no answer within pg's `query_timeout` leaves its connection waiting for
 *   that answer, with every later query queued behind it: the connection is closed;
 * - a checked-out connection that closed (for that reason, or because the server or the network
 *   cut it) is given back to the pool, which discards it, even when its holder never gives it
 *   back. Prisma 6.19 gives a transaction's connection back only after a COMMIT or ROLLBACK
 *   that succeeded, so each transaction caught by a lost connection kept its pool slot forever;
 * - an error event on a connection, which would crash the process with nobody listening,
 *   is left to reach the holder through the query that failed.
 */
export function superviseConnections(pool: pg.Pool): SupervisedConnections {
  const open = new Set<pg.PoolClient>();
  const checkedOut = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    open.add(client);
    client.on('error', () => undefined);
    closeWhenUnanswered(client);
    client.once('end', () => {
      open.delete(client);
      // By then pg has failed the connection's queries and a holder that reacts has given it back.
      setImmediate(() => {
        if (!checkedOut.delete(client)) return;
        const release = client.release;
        client.release = () => undefined; // the holder may still try, once it is no longer ours to give
        release(new Error('the connection closed while checked out'));
      });
    });
  });
  return {
    destroyAll() {
      for (const client of open) streamOf(client).destroy();
      return open.size;
    },
  };
}

function closeWhenUnanswered(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  const closeIfUnanswered = (error: unknown) => {
    if (error instanceof Error && error.message === NO_ANSWER) streamOf(client).destroy();
  };
  client.query = function queryClosingWhenUnanswered(this: pg.PoolClient, ...args: unknown[]) {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (error: unknown, ...results: unknown[]) => void;
      args[last] = (error: unknown, ...results: unknown[]) => {
        closeIfUnanswered(error);
        callback(error, ...results);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) result.catch(closeIfUnanswered);
    return result;
  } as typeof client.query;
}

/** The socket under a pooled client (pg.Client types it; the pool's client type does not). */
function streamOf(client: pg.PoolClient): { destroy(): void } {
  return (client as unknown as pg.Client).connection.stream;
}
