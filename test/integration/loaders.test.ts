import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectDatabase, type Database } from '../../src/db/database';
import { newDatabaseWork } from '../../src/db/databaseWork';
import { Prisma } from '../../src/generated/prisma/client';
import { createLoaderFactory } from '../../src/loaders/loaderFactory';
import { createLoaders } from '../../src/modules/registry';
import { PRODUCT_COLUMNS } from '../../src/modules/catalog/productRow';
import { INVENTORY_LEVEL_COLUMNS } from '../../src/modules/inventory/inventoryLevelRow';
import { ORDER_LINE_INCLUDE } from '../../src/modules/orders/orderLine';
import { describeOnPostgreSQL } from '../helpers/conditions';
import { DEFAULT_DATABASE_TIMEOUTS } from '../helpers/testDatabases';
import { testDatabaseUrl } from '../helpers/testServer';

/**
 * The hottest by-key loaders read with raw SQL (Prisma's model path costs several times the
 * CPU per row); they must hand resolvers exactly the rows Prisma's models would.
 */
let db: Database;
beforeAll(() => {
  db = connectDatabase({ connectionString: testDatabaseUrl(), poolSize: 2, timeouts: DEFAULT_DATABASE_TIMEOUTS });
});
afterAll(() => db.close());

const ROOT = path.resolve(__dirname, '../..');

const loadersFor = (customerId: number | null = null) => {
  const rows = customerId === null ? ({ kind: 'every' } as const) : ({ kind: 'customer', customerId } as const);
  return createLoaders(db.prisma, db.readRows, createLoaderFactory({ batch: true, work: newDatabaseWork() }), { orders: rows, customers: rows });
};
const byId = <T extends { id: number }>(rows: T[]) => [...rows].sort((a, b) => a.id - b.id);
/** A Prisma `select` of exactly these columns. */
const selectOf = <C extends string>(columns: readonly C[]) => Object.fromEntries(columns.map((column) => [column, true])) as Record<C, true>;

describe('raw by-key loaders', () => {
  it('read timestamps and send Date parameters as UTC instants, as Prisma does, in any time zone', async () => {
    // Jest keeps process.env per test file: the time zone must be the process's own, from its start.
    const script = `
      import { connectDatabase } from './src/db/database';
      import { Prisma } from './src/generated/prisma/client';
      const db = connectDatabase({ connectionString: process.env.URL!, poolSize: 1, timeouts: ${JSON.stringify(DEFAULT_DATABASE_TIMEOUTS)} });
      void (async () => {
        const prisma = await db.prisma.order.findMany({ where: { id: { in: [1, 2, 3] } }, orderBy: { id: 'asc' } });
        const raw = await db.readRows<{ id: number; createdAt: Date; updatedAt: Date }>(Prisma.sql\`SELECT * FROM "Order" WHERE "id" = ANY(\${[1, 2, 3]}::int[]) ORDER BY "id"\`, ['createdAt', 'updatedAt']);
        const at = prisma[0]!.createdAt;
        const same = await db.readRows<{ id: number }>(Prisma.sql\`SELECT "id" FROM "Order" WHERE "id" = 1 AND "createdAt" = \${at}\`);
        console.log(JSON.stringify({ equal: JSON.stringify(raw) === JSON.stringify(prisma), byDate: same.length }));
        await db.close();
      })();`;
    const { stdout } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['--eval', script], {
      cwd: ROOT,
      env: { ...process.env, TZ: 'Asia/Kolkata', URL: testDatabaseUrl() }, // +05:30: a shift would show
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ equal: true, byDate: 1 });
  });

  it('return the very rows of the Prisma models', async () => {
    const loaders = loadersFor();
    const ids = [1, 2, 3, 5, 8];
    expect(await Promise.all(ids.map((id) => loaders.productById.load(id)))).toEqual(
      await db.prisma.product.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' }, select: selectOf(PRODUCT_COLUMNS) }),
    );
    const skus = (await db.prisma.product.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((product) => product.sku);
    expect(await Promise.all(skus.map((sku) => loaders.productBySku.load(sku)))).toEqual(
      await db.prisma.product.findMany({ where: { sku: { in: skus } }, orderBy: { id: 'asc' }, select: selectOf(PRODUCT_COLUMNS) }),
    );
    expect(await Promise.all(ids.map((id) => loaders.customerById.load(id)))).toEqual(
      await db.prisma.customer.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } }),
    );
    expect(await Promise.all(ids.map((id) => loaders.orderById.load(id)))).toEqual(
      await db.prisma.order.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } }),
    );
    expect(await Promise.all([1, 2, 3].map((id) => loaders.warehouseById.load(id)))).toEqual(
      await db.prisma.warehouse.findMany({ where: { id: { in: [1, 2, 3] } }, orderBy: { id: 'asc' } }),
    );
    const levels = (await Promise.all(ids.map((id) => loaders.inventoryByProductId.load(id)))).flat();
    const levelColumns = selectOf(INVENTORY_LEVEL_COLUMNS);
    expect(byId(levels)).toEqual(await db.prisma.inventoryLevel.findMany({ where: { productId: { in: ids } }, orderBy: { id: 'asc' }, select: levelColumns }));
    const levelIds = byId(levels)
      .map((level) => level.id)
      .slice(0, 4);
    expect(await Promise.all(levelIds.map((id) => loaders.inventoryLevelById.load(id)))).toEqual(
      await db.prisma.inventoryLevel.findMany({ where: { id: { in: levelIds } }, orderBy: { id: 'asc' }, select: levelColumns }),
    );
    const items = (await Promise.all(ids.map((id) => loaders.itemsByOrderId.load(id)))).flat();
    expect(items).toEqual(
      await db.prisma.orderItem.findMany({ where: { orderId: { in: ids } }, include: ORDER_LINE_INCLUDE, orderBy: [{ orderId: 'asc' }, { id: 'asc' }] }),
    );
  });

  it("page a customer's orders with the very rows of the Prisma model", async () => {
    const [order] = await db.prisma.order.findMany({ take: 1, orderBy: { id: 'asc' } });
    const page = { size: 3, direction: 'forward' as const, cursor: null };
    const rows = await loadersFor().ordersPageByCustomerId({ page, criteria: {} }, 'test').load(order!.customerId);
    expect(rows).toEqual(
      await db.prisma.order.findMany({ where: { customerId: order!.customerId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 4 }),
    );
  });

  it("apply a shopper's row scope in the SQL", async () => {
    const [order] = await db.prisma.order.findMany({ take: 1, orderBy: { id: 'asc' } });
    const other = await db.prisma.order.findFirstOrThrow({ where: { customerId: { not: order!.customerId } } });
    const loaders = loadersFor(order!.customerId);
    expect(await loaders.orderById.load(order!.id)).toEqual(order);
    expect(await loaders.orderById.load(other.id)).toBeNull();
    expect(await loaders.customerById.load(other.customerId)).toBeNull();
    expect((await loaders.customerById.load(order!.customerId))?.id).toBe(order!.customerId);
  });

  it('answer from every connection of the pool at once, on a server with a session per connection or one for all (PGlite)', async () => {
    const pool = connectDatabase({ connectionString: testDatabaseUrl(), poolSize: 3, timeouts: DEFAULT_DATABASE_TIMEOUTS });
    try {
      const ids = [1, 2, 3, 4, 5, 6];
      const rows = await Promise.all(ids.map((id) => pool.readRows<{ id: number }>(Prisma.sql`SELECT "id" FROM "Product" WHERE "id" = ANY(${[id]}::int[])`)));
      expect(rows).toEqual(ids.map((id) => [{ id }]));
    } finally {
      await pool.close();
    }
  });
});

describeOnPostgreSQL('the row reader on PostgreSQL', () => {
  it('prepares each statement once per connection, under a name of its own', async () => {
    const single = connectDatabase({ connectionString: testDatabaseUrl(), poolSize: 1, timeouts: DEFAULT_DATABASE_TIMEOUTS });
    try {
      const read = (id: number) => single.readRows<{ id: number }>(Prisma.sql`SELECT "id" FROM "Product" WHERE "id" = ANY(${[id]}::int[])`);
      expect([await read(1), await read(2)]).toEqual([[{ id: 1 }], [{ id: 2 }]]);
      await single.readRows(Prisma.sql`SELECT "id" FROM "Warehouse" WHERE "id" = ${1}`);
      const { rows } = await single.pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY statement');
      expect(rows.map((row) => row.statement)).toEqual([
        expect.stringContaining('(SELECT "id" FROM "Product" WHERE "id" = ANY($1::int[])) r'),
        expect.stringContaining('(SELECT "id" FROM "Warehouse" WHERE "id" = $1) r'),
      ]);
      expect(new Set(rows.map((row) => row.name)).size).toBe(2);
    } finally {
      await single.close();
    }
  });
});
