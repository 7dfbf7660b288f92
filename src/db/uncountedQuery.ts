import pg from 'pg';

/**
 * A statement outside the gateway's statement counts (DriverStats, spans): for the process's own
 * bookkeeping (a metrics scrape, a version check, a quota's usage, the event feed's polling), which no request's own work
 * caused. It goes through the client's own query method, around the counting wrapper
 * database.ts puts on each connection.
 */
export async function uncountedQuery<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
  const client = await pool.connect();
  try {
    return await pg.Client.prototype.query.call<pg.PoolClient, [string, unknown[] | undefined], Promise<pg.QueryResult<R>>>(
      client,
      text,
      values ? [...values] : undefined,
    );
  } finally {
    client.release();
  }
}
