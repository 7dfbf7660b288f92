import type { ReadRows } from '../../db/rowReader';
import { Prisma, type InventoryLevel, type PrismaClient, type Warehouse } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';
import type { PageRequest } from '../../pagination/pageArgs';

export function createInventoryLoaders(prisma: PrismaClient, readRows: ReadRows, loaders: LoaderFactory) {
  return {
    warehouseById: loaders.one(
      (ids: readonly number[]) => readRows<Warehouse>(Prisma.sql`SELECT * FROM "Warehouse" WHERE "id" = ANY(${[...ids]}::int[])`),
      (warehouse) => warehouse.id,
    ),
    inventoryLevelById: loaders.one(
      (ids: readonly number[]) => prisma.inventoryLevel.findMany({ where: { id: { in: [...ids] } } }),
      (level) => level.id,
    ),
    inventoryByProductId: loaders.many(
      (productIds: readonly number[]) =>
        readRows<InventoryLevel>(Prisma.sql`SELECT * FROM "InventoryLevel" WHERE "productId" = ANY(${[...productIds]}::int[]) ORDER BY "warehouseId"`),
      (level) => level.productId,
    ),
    /** size + 1 stock levels per warehouse after the cursor, for every warehouse in one statement. */
    inventoryPageByWarehouseId: loaders.manyPerArgs(
      (page: PageRequest, warehouseIds: readonly number[]) =>
        readRows<InventoryLevel>(Prisma.sql`
          SELECT "id", "productId", "warehouseId", "onHand", "reserved", "updatedAt" FROM (
            SELECT l.*, row_number() OVER (PARTITION BY l."warehouseId" ORDER BY l."id") AS position
            FROM "InventoryLevel" l
            WHERE l."warehouseId" = ANY(${[...warehouseIds]}::int[])
              AND l."id" > ${page.cursor?.[1] ?? 0}
          ) ranked
          WHERE position <= ${page.size + 1}
          ORDER BY "warehouseId", "id"`),
      (level) => level.warehouseId,
    ),
  };
}
