import { recordEvent } from '../../events/outbox';
import type { Prisma } from '../../generated/prisma/client';
import { toGlobalId } from '../node/globalId';

/**
 * Records inventory.low for each of these stock levels whose available units (on hand minus
 * reserved) are now below the threshold, in the caller's transaction, after its change.
 */
export async function recordLowStock(tx: Prisma.TransactionClient, inventoryLevelIds: number[], threshold: number): Promise<void> {
  if (inventoryLevelIds.length === 0) return;
  const low = await tx.$queryRaw<Array<{ id: number; productId: number; sku: string; warehouseId: number; code: string; available: number }>>`
    SELECT l."id", l."productId", p."sku", l."warehouseId", w."code", l."onHand" - l."reserved" AS "available"
    FROM "InventoryLevel" l JOIN "Product" p ON p."id" = l."productId" JOIN "Warehouse" w ON w."id" = l."warehouseId"
    WHERE l."id" = ANY(${inventoryLevelIds}::int[]) AND l."onHand" - l."reserved" < ${threshold}
    ORDER BY l."id"`;
  for (const level of low) {
    await recordEvent(tx, 'inventory.low', {
      inventoryLevelId: toGlobalId('InventoryLevel', level.id),
      productId: toGlobalId('Product', level.productId),
      sku: level.sku,
      warehouseId: toGlobalId('Warehouse', level.warehouseId),
      warehouseCode: level.code,
      available: Number(level.available),
      threshold,
    });
  }
}
