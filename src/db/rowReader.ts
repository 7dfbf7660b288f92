import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Prisma } from '../generated/prisma/client';
import { trace } from '../observability/tracing';
import { endStatementSpan, startStatementSpan, TRACED } from './statementSpans';
import { uncountedQuery } from './uncountedQuery';
import { parseUtcTimestamp } from './utcTimestamp';

/** The columns of a row type that hold instants (`timestamp` columns, read as Dates). */
export type TimestampColumn<T> = { [K in keyof T]-?: T[K] extends Date | null ? K : never }[keyof T];

/**
 * Runs one SQL statement (built with Prisma.sql, so that values are always parameters) and
 * returns its rows, with the `timestamp` columns named in `timestamps` read as Dates.
 */
export type ReadRows = <T>(query: Prisma.Sql, timestamps?: readonly TimestampColumn<T>[]) => Promise<T[]>;

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
 * PostgreSQL sends a statement's rows as one JSON array (json_agg over the statement, in its
 * order), which V8 parses natively: reading the ~1,000 rows of a nested page field by field
 * through the wire protocol's text cost a quarter of the gateway's CPU; the database, which has
 * the spare CPU, builds the JSON instead (docs/performance.md). JSON carries numbers, strings,
 * booleans, nulls, arrays and json columns as pg would parse them; `timestamp` columns arrive as
 * ISO text without a zone and are read as the UTC instants they hold. (A bigint or numeric
 * column would arrive as a JSON number: cast it to text in the statement if it can exceed 2^53.)
 *
 * Each text is a named prepared statement on every connection that runs it: PostgreSQL parses
 * and plans it once per connection instead of once per execution, which halved the database's
 * CPU per nested page. Not on the embedded PGlite, which serves every connection from one
 * session, where a second connection would find the first one's names taken: the reader asks
 * the server what it is before its first statement.
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
  return async <T>(query: Prisma.Sql, timestamps?: readonly TimestampColumn<T>[]) => {
    if (prepare === undefined) {
      // Unanswered (the server unreachable): this statement goes unnamed, the next one asks again.
      asking ??= hasSessionPerConnection(pool).finally(() => (asking = undefined));
      prepare = await asking.catch(() => undefined);
    }
    // A Date parameter is sent as its UTC instant, not in the process's time zone.
    const values = query.values.map((value) => (value instanceof Date ? value.toISOString() : value));
    // json_agg takes the rows in the order the statement returns them (its ORDER BY holds).
    const text = `SELECT coalesce(json_agg(r), '[]')::text AS rows FROM (${query.text}) r`;
    // Its span is made here, where the caller's trace is active and the rows are counted.
    const span = trace.getActiveSpan() ? startStatementSpan(query.text) : undefined;
    let rows: Array<Record<string, unknown>>;
    try {
      const result = await pool.query<{ rows: string }>({ name: prepare ? nameOf(text) : undefined, text, values, [TRACED]: true } as pg.QueryConfig);
      rows = JSON.parse(result.rows[0]!.rows) as Array<Record<string, unknown>>;
    } catch (error) {
      if (span) endStatementSpan(span, error as Error);
      throw error;
    }
    if (span) endStatementSpan(span, null, undefined, rows.length);
    if (timestamps?.length) {
      for (const row of rows) {
        for (const column of timestamps as readonly string[]) {
          const value = row[column];
          if (typeof value === 'string') row[column] = parseUtcTimestamp(value);
        }
      }
    }
    return rows as T[];
  };
}

/**
 * False for PGlite (its version() says so), true for PostgreSQL. Asked through the client's own
 * query method: the pool's statement count (database.ts) is of the gateway's work, and this is
 * not part of any request.
 */
async function hasSessionPerConnection(pool: pg.Pool): Promise<boolean> {
  const { rows } = await uncountedQuery<{ version: string }>(pool, 'SELECT version()');
  return !rows[0]!.version.includes('PGlite');
}
