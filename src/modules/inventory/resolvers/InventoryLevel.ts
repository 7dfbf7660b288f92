import type { Product, Warehouse } from '../../../generated/prisma/client';
import type { InventoryLevelResolvers } from '../../../generated/graphql';
import { toGlobalId } from '../../node/globalId';

// The foreign keys guarantee both rows exist, so the loaders' null never reaches these fields.
export const InventoryLevel: InventoryLevelResolvers = {
  id: (level) => toGlobalId('InventoryLevel', level.id),
  warehouse: (level, _args, ctx) => ctx.loaders.warehouseById.load(level.warehouseId) as Promise<Warehouse>,
  product: (level, _args, ctx) => ctx.loaders.productById.load(level.productId) as Promise<Product>,
  available: (level) => level.onHand - level.reserved,
};
