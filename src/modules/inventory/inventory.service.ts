import type { GraphQLContext } from '../../context/GraphQLContext';
import { recordQuery } from '../../db/databaseWork';
import { Prisma, type Warehouse } from '../../generated/prisma/client';
import type { WarehouseInventoryArgs } from '../../generated/graphql';
import { buildConnection, type Connection } from '../../pagination/connection';
import { parsePageArgs } from '../../pagination/pageArgs';
import type { InventoryLevelRow } from './inventoryLevelRow';

const WAREHOUSE_INVENTORY_ORDERING = 'warehouse-inventory:id';

export async function listWarehouses(ctx: GraphQLContext): Promise<Warehouse[]> {
  // Through the row reader, as the other hot reads: Prisma's engine is only started by writes and rarer reads.
  const warehouses = await recordQuery(ctx.work, ctx.readRows<Warehouse>(Prisma.sql`SELECT * FROM "Warehouse" w ORDER BY w."code"`));
  for (const warehouse of warehouses) ctx.loaders.warehouseById.prime(warehouse.id, warehouse);
  return warehouses;
}

export async function listWarehouseInventory(ctx: GraphQLContext, warehouseId: number, args: WarehouseInventoryArgs): Promise<Connection<InventoryLevelRow>> {
  const page = parsePageArgs({ first: args.first, after: args.after }, WAREHOUSE_INVENTORY_ORDERING);
  const argsKey = `${page.size}:${page.cursor?.[1] ?? ''}`;
  const rows = await ctx.loaders.inventoryPageByWarehouseId(page, argsKey).load(warehouseId);
  for (const level of rows) ctx.loaders.inventoryLevelById.prime(level.id, level);
  return buildConnection(rows, page, WAREHOUSE_INVENTORY_ORDERING, (level) => [level.id, level.id]);
}
