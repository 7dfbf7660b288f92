import { connectDatabase } from '../../src/db/database';
import { startEmbeddedDatabase } from '../../src/db/embeddedDatabase';
import { applyMigrations } from '../../src/db/migrations';
import { SEED_SIZES, seedDatabase } from '../../src/db/seed';
import { createThrowawayDatabase, DEFAULT_DATABASE_TIMEOUTS } from './testDatabases';

/**
 * One database per test run, migrated and seeded with the demo data, whose URL the test
 * workers read from TEST_DATABASE_URL:
 * - DATABASE_URL set: a throwaway database created on that PostgreSQL server, dropped after;
 * - otherwise: an in-memory embedded PostgreSQL (PGlite), started here, outside the workers.
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  let url: string;
  let stop: () => Promise<void>;
  if (serverUrl) {
    const database = await createThrowawayDatabase(serverUrl);
    url = database.url;
    stop = database.drop;
  } else {
    const embedded = await startEmbeddedDatabase(null);
    url = embedded.connectionString;
    stop = embedded.stop;
  }
  const db = connectDatabase({ connectionString: url, poolSize: 2, timeouts: DEFAULT_DATABASE_TIMEOUTS });
  try {
    await applyMigrations(db.pool);
    await seedDatabase(db.prisma, SEED_SIZES.demo);
  } finally {
    await db.close();
  }
  process.env.TEST_DATABASE_URL = url;
  process.env.TEST_DATABASE_KIND = serverUrl ? 'postgresql' : 'embedded';
  (globalThis as { __stopTestDatabase?: () => Promise<void> }).__stopTestDatabase = stop;
}
