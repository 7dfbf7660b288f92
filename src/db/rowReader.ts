import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Prisma } from '../generated/prisma/client';
import { parseUtcTimestamp } from './utcTimestamp';

/** Runs one SQL statement (built with Prisma.sql, so that values are always parameters) and returns its rows. */
export type ReadRows = <T>(query: Prisma.Sql) => Promise<T[]>;

const TIMESTAMP_OID = 1114;

const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text') =>
    oid === TIMESTAMP_OID ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The statements a process prepares on each connection, at most: the readers' texts come from
 * the code's templates (values are always parameters), so a few dozen exist; past this bound
 * a text is sent unprepared rather than held on every connection.
 */
const MAX_PREPARED_STATEMENTS = 500;

/**
 * Rows as Prisma's $queryRaw returns them, read straight through the pool that Prisma's adapter
 * owns: the hot loaders' statements are SQL already, and Prisma's client would compile,
 * serialize and deserialize each one again for nothing (a fifth of a nested page's CPU).
 *
 * Each text is a named prepared statement on every connection that runs it: PostgreSQL parses
 * and plans it once per connection instead of once per execution, which halved the database's
 * CPU per nested page (docs/performance.md). Not on the embedded PGlite, which serves every
 * connection from one session, where a second connection would find the first one's names
 * taken: the reader asks the server what it is before its first statement.
 */
export function createRowReader(pool: pg.Pool): ReadRows {
  const names = new Map<string, string>();
  let prepare: boolean | undefined;
  let asking: Promise<boolean> | undefined;
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED_STATEMENTS) {
      // The name is the text's digest: pg refuses one name for two texts on a connection.
      name = `gw_${createHash('sha256').update(text).digest('base64url')}`;
      names.set(text, name);
    }
    return name;
  };
  return async <T>(query: Prisma.Sql) => {
    if (prepare === undefined) {
      // Unanswered (the server unreachable): this statement goes unnamed, the next one asks again.
      asking ??= hasSessionPerConnection(pool).finally(() => (asking = undefined));
      prepare = await asking.catch(() => undefined);
    }
    // A Date parameter is sent as its UTC instant, not in the process's time zone.
    const values = query.values.map((value) => (value instanceof Date ? value.toISOString() : value));
    const result = await pool.query({ name: prepare ? nameOf(query.text) : undefined, text: query.text, values, types: typeParsers });
    return result.rows as T[];
  };
}

/**
 * False for PGlite (its version() says so), true for PostgreSQL. Asked through the client's own
 * query method: the pool's statement count (database.ts) is of the gateway's work, and this is
 * not part of any request.
 */
async function hasSessionPerConnection(pool: pg.Pool): Promise<boolean> {
  const client = await pool.connect();
  try {
    const { rows } = await pg.Client.prototype.query.call<pg.PoolClient, [string], Promise<pg.QueryResult<{ version: string }>>>(client, 'SELECT version()');
    return !rows[0]!.version.includes('PGlite');
  } finally {
    client.release();
  }
}
