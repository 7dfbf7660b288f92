import { connectDatabase, type Database } from '../../src/db/database';
import { startEmbeddedDatabase } from '../../src/db/embeddedDatabase';
import { applyMigrations } from '../../src/db/migrations';
import { createThrowawayDatabase, DEFAULT_DATABASE_TIMEOUTS } from './testDatabases';

/**
 * An empty, migrated database of the test's own, for tests that act on whole tables (the
 * outbox dispatcher takes every pending event) or that hang its connections: a throwaway
 * database on the PostgreSQL server of DATABASE_URL, else an in-memory embedded one.
 */
export async function createIsolatedDatabase(): Promise<{ url: string; db: Database; close: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  const target = serverUrl ? await createThrowawayDatabase(serverUrl, 'gateway_isolated') : null;
  const embedded = target ? null : await startEmbeddedDatabase(null);
  const url = target?.url ?? embedded!.connectionString;
  const db = connectDatabase({ connectionString: url, poolSize: 4, timeouts: DEFAULT_DATABASE_TIMEOUTS });
  await applyMigrations(db.pool);
  return {
    url,
    db,
    async close() {
      await db.close();
      await target?.drop();
      await embedded?.stop();
    },
  };
}
