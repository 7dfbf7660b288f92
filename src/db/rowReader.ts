import pg from 'pg';
import type { Prisma } from '../generated/prisma/client';

/** Runs one SQL statement (built with Prisma.sql, so that values are always parameters) and returns its rows. */
export type ReadRows = <T>(query: Prisma.Sql) => Promise<T[]>;

const TIMESTAMP_OID = 1114;

/** A `timestamp` column holds a UTC instant without its zone (as Prisma writes it): read it as UTC, whatever the process's time zone. */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text') =>
    oid === TIMESTAMP_OID ? (text: string) => new Date(`${text.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Rows as Prisma's $queryRaw returns them, read straight through the pool that Prisma's adapter
 * owns: the hot loaders' statements are SQL already, and Prisma's client would compile,
 * serialize and deserialize each one again for nothing (a fifth of a nested page's CPU).
 */
export function createRowReader(pool: pg.Pool): ReadRows {
  return async <T>(query: Prisma.Sql) => {
    // A Date parameter is sent as its UTC instant, not in the process's time zone.
    const values = query.values.map((value) => (value instanceof Date ? value.toISOString() : value));
    const result = await pool.query({ text: query.text, values, types: typeParsers });
    return result.rows as T[];
  };
}
