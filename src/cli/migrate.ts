import pg from 'pg';
import { loadConfig } from '../config';
import { DatabaseSetupError } from '../db/databaseSetupError';
import { applyMigrations } from '../db/migrations';
import { parseCli, runCli, UsageError } from './cli';

const USAGE = `Usage: npm run db:migrate
Applies the committed migrations (prisma/migrations) that the database at DATABASE_URL lacks, in
order, each in its own transaction, and records them in _prisma_migrations as \`prisma migrate
deploy\` does. Run it once per deploy, before the new gateways start (they refuse to start on a
database that lacks a migration); concurrent runs take turns. The embedded database needs none:
the gateway migrates it at every start.`;

runCli(async () => {
  parseCli(USAGE, {});
  const { database } = loadConfig();
  if (!database.url) throw new UsageError(`DATABASE_URL is unset: nothing to migrate.\n\n${USAGE}`);
  // Not the gateway's pool: a migration may rewrite a large table, which the statement and lock
  // timeouts meant for requests would cancel halfway; only reaching the server is bounded.
  const pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: database.timeouts.acquireTimeoutMs });
  try {
    // Reaching the server is the user's to fix (the URL, the network, a password): said as such,
    // with exit 2, before any migration starts.
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw new DatabaseSetupError(`Cannot reach the database at DATABASE_URL: ${(error as Error).message}`);
    }
    const applied = await applyMigrations(pool);
    console.log(applied.length ? `Applied ${applied.length} migrations: ${applied.join(', ')}` : 'The database is up to date: no migration to apply.');
  } finally {
    await pool.end();
  }
});
