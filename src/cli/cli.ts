import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config';
import { EmbeddedDatabaseInUseError } from '../db/dataDirLock';
import { DatabaseSetupError } from '../db/databaseSetupError';

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
