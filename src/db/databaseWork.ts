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
}

export function newDatabaseWork(): DatabaseWork {
  return { statements: 0, batches: 0, rows: 0 };
}

/** Awaits one query, counting it and the rows it returned (a count or aggregate is one row). */
export async function recordQuery<T>(work: DatabaseWork, query: Promise<T>): Promise<T> {
  const result = await query;
  work.statements += 1;
  work.rows += Array.isArray(result) ? result.length : 1;
  return result;
}
