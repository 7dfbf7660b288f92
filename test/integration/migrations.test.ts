import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { applyMigrations, MIGRATIONS_DIR } from '../../src/db/migrations';
import { describeOnPostgreSQL } from '../helpers/conditions';
import { createThrowawayDatabase } from '../helpers/testDatabases';
import { waitFor } from '../helpers/waiting';

/** The advisory lock `prisma migrate deploy` holds while it migrates, which applyMigrations holds too. */
const PRISMA_MIGRATE_LOCK = 72707369;

describeOnPostgreSQL('applyMigrations', () => {
  it('takes turns with another run started at the same time on a fresh database: one applies every migration, the other none', async () => {
    const committed = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const database = await createThrowawayDatabase(process.env.DATABASE_URL!, 'gateway_migrations');
    const holder = new pg.Client({ connectionString: database.url });
    const pools = [0, 1].map(() => new pg.Pool({ connectionString: database.url, max: 1 }));
    try {
      await holder.connect();
      // The two runs are made to start together: both wait for the lock the test holds, then race for it.
      await holder.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`);
      const runs = pools.map((pool) => applyMigrations(pool));
      await waitFor(
        'both runs to wait for the migration lock',
        async () => {
          const { rows } = await holder.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
          );
          return rows[0]!.n === 2;
        },
        10_000,
      );
      await holder.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK})`);

      const applied = await Promise.all(runs);
      expect(applied.map((names) => names.length).sort((a, b) => a - b)).toEqual([0, committed.length]);
      expect(applied.find((names) => names.length > 0)).toEqual(committed);
      const { rows } = await holder.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name');
      expect(rows.map((row) => row.migration_name)).toEqual(committed);
    } finally {
      await Promise.all([holder.end(), ...pools.map((pool) => pool.end())]);
      await database.drop();
    }
  });
});
