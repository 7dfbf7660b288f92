import { selectColumns } from '../../db/columns';
import type { ReadRows } from '../../db/rowReader';
import { Prisma, type Warehouse } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';
import type { PageRequest } from '../../pagination/pageArgs';
import { INVENTORY_LEVEL_COLUMNS, type InventoryLevelRow } from './inventoryLevelRow';

export function createInventoryLoaders(readRows: ReadRows, loaders: LoaderFactory) {
  return {
    warehouseById: loaders.one(
      (ids: readonly number[]) => readRows<Warehouse>(Prisma.sql`SELECT * FROM "Warehouse" WHERE "id" = ANY(${[...ids]}::int[])`),
      (warehouse) => warehouse.id,
    ),
    inventoryLevelById: loaders.one(
      (ids: readonly number[]) =>
        readRows<InventoryLevelRow>(
          Prisma.sql`SELECT ${selectColumns(INVENTORY_LEVEL_COLUMNS, 'l')} FROM "InventoryLevel" l WHERE l."id" = ANY(${[...ids]}::int[])`,
        ),
      (level) => level.id,
    ),
    inventoryByProductId: loaders.many(
      (productIds: readonly number[]) =>
        readRows<InventoryLevelRow>(
          Prisma.sql`SELECT ${selectColumns(INVENTORY_LEVEL_COLUMNS, 'l')} FROM "InventoryLevel" l WHERE l."productId" = ANY(${[...productIds]}::int[]) ORDER BY l."warehouseId"`,
        ),
      (level) => level.productId,
    ),
    /** size + 1 stock levels per warehouse after the cursor, for every warehouse in one statement. */
    inventoryPageByWarehouseId: loaders.manyPerArgs(
      (page: PageRequest, warehouseIds: readonly number[]) =>
        readRows<InventoryLevelRow>(Prisma.sql`
          SELECT ${selectColumns(INVENTORY_LEVEL_COLUMNS, 'ranked')} FROM (
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
