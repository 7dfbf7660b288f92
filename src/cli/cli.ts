import { parseArgs, type ParseArgsConfig } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase, type Database } from '../db/database';
import { EmbeddedDatabaseInUseError } from '../db/dataDirLock';
import { DatabaseSetupError, openDatabase } from '../db/openDatabase';

/** A mistake in how the command was called: its message (and the usage) is all the user needs. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments as every CLI of this project does: `--help` (or `-h`) prints the
 * usage and exits 0; an unknown or malformed option is a UsageError naming it (exit 2, with the
 * usage), never a stack trace.
 */
export function parseCli<O extends Options>(usage: string, options: O, { positionals = false, args = process.argv.slice(2) } = {}) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a command's main, which resolves to its exit code (0 by default): what the user can fix
 * (a usage mistake, a bad setting, a database that is unreachable, unmigrated or in use by a
 * server, and the command's own `userErrors`) is printed as a message with exit 2; an
 * unexpected failure prints its message and exits with `failureCode` (1; a command whose 1
 * means something else, like the schema check's "this change breaks a client", sets another).
 */
export function runCli(main: () => Promise<number | void>, { failureCode = 1, userErrors = [] as ErrorClass[] } = {}): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      const expected = [UsageError, ConfigError, DatabaseSetupError, EmbeddedDatabaseInUseError, ...userErrors].some((type) => error instanceof type);
      console.error(expected ? (error as Error).message : `Failed: ${(error as Error).message}`);
      process.exit(expected ? 2 : failureCode);
    },
  );
}

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
