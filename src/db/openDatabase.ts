import type { Logger } from 'pino';
import type { Config } from '../config';
import { beforeDeadline, PAST_DEADLINE } from '../deadline';
import { connectDatabase, type Database } from './database';
import { DatabaseSetupError } from './databaseSetupError';
import { startEmbeddedDatabase } from './embeddedDatabase';
import { applyMigrations, findPendingMigrations } from './migrations';
import { SEED_SIZES, seedDatabase } from './seed';

export { DatabaseSetupError };

/**
 * The database the server runs on. With DATABASE_URL: that PostgreSQL, which must already be
 * migrated (`npm run db:migrate`). Without: the embedded PostgreSQL in EMBEDDED_DATA_DIR,
 * migrated on every start and seeded with demo data when it is empty (unless `seedDemoData`
 * is false: the seed command fills it itself).
 */
export async function openDatabase(config: Config, logger: Logger, { seedDemoData = true } = {}): Promise<Database> {
  const { url, poolSize, embeddedDataDir, timeouts } = config.database;
  if (url) {
    const db = connectDatabase({ connectionString: url, poolSize, timeouts });
    let pending: string[];
    try {
      pending = await findPendingMigrations(db.pool);
    } catch (error) {
      await db.close();
      throw new DatabaseSetupError(`Cannot reach the database at DATABASE_URL: ${(error as Error).message}`);
    }
    if (pending.length > 0) {
      await db.close();
      throw new DatabaseSetupError(
        `The database at DATABASE_URL lacks migrations ${pending.join(', ')}: run \`npm run db:migrate\` (and \`npm run db:seed\` for demo data).`,
      );
    }
    return db;
  }

  const embedded = await startEmbeddedDatabase(embeddedDataDir);
  const db = connectDatabase({ connectionString: embedded.connectionString, poolSize, timeouts });
  const applied = await applyMigrations(db.pool);
  if (applied.length) logger.info({ migrations: applied }, 'embedded database migrated');
  if (seedDemoData && (await db.prisma.product.count()) === 0) {
    const counts = await seedDatabase(db.prisma, SEED_SIZES.demo);
    logger.info(counts, 'embedded database seeded with demo data');
  }
  logger.info({ dataDir: embeddedDataDir }, 'using the embedded PostgreSQL (set DATABASE_URL to use your own)');
  return {
    ...db,
    async close(options = {}) {
      const closed = await db.close(options);
      // In this process: it stops as soon as its socket server has let go of the connections.
      const stopped = (await beforeDeadline(embedded.stop(), options.deadline ?? Infinity)) !== PAST_DEADLINE;
      return closed && stopped;
    },
  };
}
