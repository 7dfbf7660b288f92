import pg from 'pg';
import type { DatabaseTimeouts } from '../../src/config';
import { clientQueryTimeoutMs, connectDatabase, type Database } from '../../src/db/database';
import { retryableReason } from '../../src/db/retryableErrors';
import { startFreezableProxy, type FreezableProxy } from '../helpers/freezableProxy';
import { testDatabaseUrl } from '../helpers/testServer';
import { describeOnPostgreSQL as onPostgreSql } from '../helpers/conditions';

/**
 * No database call waits forever: PostgreSQL cancels a slow statement and a long lock wait, the
 * client gives up on a server that stopped answering, each with an error that
 * `retryableReason` recognises. Short limits keep the test quick; the bounds are generous.
 */
const TIMEOUTS: DatabaseTimeouts = { statementTimeoutMs: 1_000, lockTimeoutMs: 500, acquireTimeoutMs: 1_000, transactionTimeoutMs: 3_000 };
const MARGIN_MS = 3_000;

/** The error `work` fails with and how long it took; fails the test when it succeeds. */
async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected the database call to fail');
}

// PGlite (the embedded database) ignores statement_timeout and lock_timeout, and one
// connection's transaction queues the others' statements instead of locking rows.
onPostgreSql('server-side limits (PostgreSQL)', () => {
  let db: Database;
  beforeAll(() => {
    db = connectDatabase({ connectionString: testDatabaseUrl(), poolSize: 2, timeouts: TIMEOUTS });
  });
  afterAll(() => db.close());

  it('cancels a statement running past DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const { error, ms } = await failure(() => db.prisma.$queryRaw`SELECT 1 AS slept FROM pg_sleep(30)`);
    expect(retryableReason(error)).toBe('statement timeout');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.statementTimeoutMs - 50);
    expect(ms).toBeLessThan(TIMEOUTS.statementTimeoutMs + MARGIN_MS);
  });

  it('ends a transaction waiting for a row lock past DATABASE_LOCK_TIMEOUT_MS', async () => {
    const product = await db.prisma.product.create({
      data: { sku: `LOCK-${process.pid}-${Date.now()}`, name: 'Locked stock', priceCents: 100, currency: 'USD' },
    });
    const level = await db.prisma.inventoryLevel.create({ data: { productId: product.id, warehouseId: 1, onHand: 5 } });
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM "InventoryLevel" WHERE "id" = $1 FOR UPDATE', [level.id]);
      // What placeOrder does: lock the stock rows, then write.
      const { error, ms } = await failure(() =>
        db.prisma.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT "id", "onHand", "reserved" FROM "InventoryLevel" WHERE "productId" = ${product.id} ORDER BY "id" FOR UPDATE`;
          await tx.$executeRaw`UPDATE "InventoryLevel" SET "reserved" = "reserved" + 1 WHERE "id" = ${level.id}`;
        }),
      );
      expect(retryableReason(error)).toBe('lock timeout');
      expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.lockTimeoutMs - 50);
      expect(ms).toBeLessThan(TIMEOUTS.lockTimeoutMs + MARGIN_MS);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await db.prisma.inventoryLevel.delete({ where: { id: level.id } });
      await db.prisma.product.delete({ where: { id: product.id } });
    }
  });
});

describe('a server that stops answering', () => {
  let proxy: FreezableProxy;
  let db: Database;
  beforeEach(async () => {
    proxy = await startFreezableProxy(testDatabaseUrl());
    db = connectDatabase({ connectionString: proxy.url, poolSize: 1, timeouts: TIMEOUTS });
    await db.prisma.product.count(); // the pool's one connection, open before the freeze
  });
  afterEach(async () => {
    await db.close({ deadline: Date.now() + 1_000 });
    await proxy.close();
  });

  it('fails a query after the client-side query timeout instead of hanging', async () => {
    proxy.freeze();
    const { error, ms } = await failure(() => db.prisma.product.count());
    expect(retryableReason(error)).toBe('no answer');
    expect(ms).toBeLessThan(clientQueryTimeoutMs(TIMEOUTS) + MARGIN_MS);
  });

  it('fails a transaction, and closes in order: the connection it held is back in the pool', async () => {
    const { error, ms } = await failure(() =>
      db.prisma.$transaction(async (tx) => {
        await tx.product.count();
        proxy.freeze();
        await tx.product.count();
      }),
    );
    expect(retryableReason(error)).toBe('no answer');
    expect(ms).toBeLessThan(clientQueryTimeoutMs(TIMEOUTS) + MARGIN_MS);
    expect(await db.close({ deadline: Date.now() + 1_000 })).toBe(true);
  });

  it('gives a transaction whose connection was cut its pool slot back, so the next transaction runs', async () => {
    const { error } = await failure(() =>
      db.prisma.$transaction(async (tx) => {
        await tx.product.count();
        proxy.cutConnections();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.product.count();
      }),
    );
    expect(retryableReason(error)).toBe('connection lost');
    // The pool holds one connection: a slot never given back would make this wait, then fail.
    await expect(db.prisma.$transaction((tx) => tx.warehouse.count())).resolves.toBeGreaterThan(0);
  });
});
