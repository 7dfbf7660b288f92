import pino from 'pino';
import { loadConfig } from '../config';
import { connectDatabase, type Database } from '../db/database';
import { EmbeddedDatabaseInUseError } from '../db/dataDirLock';
import { openDatabase } from '../db/openDatabase';

/**
 * The database a command works on, as the server would open it: DATABASE_URL's (which must be
 * migrated), or the embedded one in EMBEDDED_DATA_DIR, created and migrated if needed (and, like
 * `npm start`, seeded when empty unless `seed` is false). While a gateway on this machine uses
 * the embedded folder, the command works through that gateway's database socket (two processes
 * opening one folder would corrupt it); one it cannot reach is refused with a message naming
 * the folder and the process.
 */
export async function openCliDatabase({ seed = true } = {}): Promise<Database> {
  const config = loadConfig();
  const database = { ...config.database, poolSize: Math.min(config.database.poolSize, 4) };
  try {
    return await openDatabase({ ...config, database }, pino({ level: 'silent' }), { seedDemoData: seed });
  } catch (error) {
    const owner = error instanceof EmbeddedDatabaseInUseError ? error.localOwner : null;
    const served = owner?.connectionString;
    if (!served) throw error;
    const db = connectDatabase({ connectionString: served, poolSize: database.poolSize, timeouts: database.timeouts });
    try {
      await db.pool.query('SELECT 1');
    } catch {
      await db.close();
      throw error;
    }
    console.error(`Using the embedded database in ${database.embeddedDataDir} through the gateway that runs on it (process ${owner!.pid}).`);
    return db;
  }
}
