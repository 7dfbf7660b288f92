import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { PROJECT_ROOT } from '../projectRoot';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma/migrations');

/** The advisory lock key `prisma migrate deploy` holds while it migrates a PostgreSQL database. */
const PRISMA_MIGRATE_LOCK = 72707369;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/**
 * Applies the committed Prisma migrations (prisma/migrations/<name>/migration.sql) that a
 * database lacks, each in its own transaction, and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does (same table, same SHA-256 checksum), so either
 * tool can be used on the same database afterwards.
 *
 * Concurrent runs (two deploys, or this and the Prisma CLI) take turns: both hold Prisma's own
 * advisory lock while they migrate, so a second one finds the first one's migrations applied.
 *
 * Why not spawn the Prisma CLI: on our machines it runs a WebAssembly schema engine that
 * keeps the process alive for 10 s after every command, which the embedded database's first
 * start and every test run would pay; and it is a development dependency, absent from the
 * production image, where `npm run db:migrate` runs this (src/cli/migrate.ts).
 */
export async function applyMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  let locked = false;
  try {
    // Session-level: held across the per-migration transactions, released with the session at
    // worst. Inside the try: a wait for it cancelled (statement_timeout on the role, an admin)
    // must still give the connection back, or the caller's pool.end() would wait for ever.
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`);
    locked = true;
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const applied = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const byName = new Map(applied.rows.map((row) => [row.migration_name, row]));
    const appliedNow: string[] = [];
    for (const migration of migrations) {
      const existing = byName.get(migration.name);
      if (existing) {
        if (!existing.finished_at) {
          throw new Error(`Migration ${migration.name} started earlier but never finished: resolve it with \`prisma migrate resolve\`.`);
        }
        if (existing.checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was edited after it was applied (checksum mismatch): add a new migration instead.`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      appliedNow.push(migration.name);
    }
    return appliedNow;
  } finally {
    const unlocked = locked ? client.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK})`) : Promise.resolve();
    await unlocked.then(
      () => client.release(),
      (error: Error) => client.release(error),
    );
  }
}

/** Names of committed migrations the database has not applied (empty when up to date). */
export async function findPendingMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const table = await pool.query<{ exists: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`);
  if (!table.rows[0]?.exists) return migrations.map((m) => m.name);
  const applied = await pool.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const names = new Set(applied.rows.map((row) => row.migration_name));
  return migrations.filter((m) => !names.has(m.name)).map((m) => m.name);
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}
