import type { PrismaClient } from '../generated/prisma/client';

/**
 * The database work one request caused, reported in `extensions.cost.database`. Counted where
 * queries are issued (each DataLoader batch and each service query is one SQL statement), so
 * requests running side by side are told apart without tracing every promise.
 */
export interface DatabaseWork {
  statements: number;
  /** DataLoader batches: statements that served many keys at once. */
  batches: number;
  rows: number;
  /** Keys per batch, in dispatch order (the metrics' batch-size histogram); not reported to clients. */
  batchSizes: number[];
}

export function newDatabaseWork(): DatabaseWork {
  return { statements: 0, batches: 0, rows: 0, batchSizes: [] };
}

/** Awaits one query, counting it and the rows it returned (a count or aggregate is one row). */
export async function recordQuery<T>(work: DatabaseWork, query: Promise<T>): Promise<T> {
  const result = await query;
  work.statements += 1;
  work.rows += Array.isArray(result) ? result.length : 1;
  return result;
}

/**
 * A client that counts every query it sends into `work`: for mutations, whose queries are not
 * loader batches. A transaction's BEGIN and COMMIT are not counted; affected-row counts of
 * writes are not rows read.
 */
export function withWorkRecorded(prisma: PrismaClient, work: DatabaseWork): PrismaClient {
  return prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        const result = await query(args);
        work.statements += 1;
        if (Array.isArray(result)) work.rows += result.length;
        else if (result !== null && typeof result === 'object') work.rows += 1;
        return result;
      },
    },
  }) as unknown as PrismaClient; // the extension adds behaviour, not API
}
