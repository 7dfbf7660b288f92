import type { InventoryLevel } from '../../generated/prisma/client';

/** The columns of a stock level that the InventoryLevel type resolves from (no `updatedAt`). */
export const INVENTORY_LEVEL_COLUMNS = ['id', 'productId', 'warehouseId', 'onHand', 'reserved'] as const satisfies readonly (keyof InventoryLevel)[];

/** A stock level as the InventoryLevel type resolves it: a Prisma row has it all, and more. */
export type InventoryLevelRow = Pick<InventoryLevel, (typeof INVENTORY_LEVEL_COLUMNS)[number]>;
