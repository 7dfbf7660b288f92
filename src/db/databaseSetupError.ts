/**
 * The database cannot be used as configured (unreachable, not migrated): the user's to fix, with
 * the message as the whole story. Apart from openDatabase.ts, so that a command can tell it from a
 * bug without loading the database drivers.
 */
export class DatabaseSetupError extends Error {
  override readonly name = 'DatabaseSetupError';
}
