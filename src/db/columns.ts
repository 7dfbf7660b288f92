import { Prisma } from '../generated/prisma/client';

/**
 * The columns a hot read selects, as a typed list: the row type it yields is derived from the
 * same list (`Pick<Model, (typeof COLUMNS)[number]>`), so the SQL and the type cannot drift, and
 * a column no GraphQL field reads (an `updatedAt` per stock level: a Date per row) is neither
 * sent by PostgreSQL nor parsed.
 */
export function selectColumns(columns: readonly string[], alias: string): Prisma.Sql {
  return Prisma.raw(columns.map((column) => `${alias}."${column}"`).join(', '));
}
