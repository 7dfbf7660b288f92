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
  /**
   * The outbox event types its transactions wrote (committed or rolled back): what the response
   * cache retires once the request is done, its transactions then over.
   */
  events: string[];
}

export function newDatabaseWork(): DatabaseWork {
  return { statements: 0, batches: 0, rows: 0, batchSizes: [], events: [] };
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
 * writes are not rows read. Outbox events written are noted (see DatabaseWork.events).
 */
export function withWorkRecorded(prisma: PrismaClient, work: DatabaseWork): PrismaClient {
  return prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const result = await query(args);
        if (model === 'Event' && operation === 'create') work.events.push(String((args as { data: { type: string } }).data.type));
        work.statements += 1;
        if (Array.isArray(result)) work.rows += result.length;
        else if (result !== null && typeof result === 'object') work.rows += 1;
        return result;
      },
    },
  }) as unknown as PrismaClient; // the extension adds behaviour, not API
}
