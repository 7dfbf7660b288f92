import type { WarehouseResolvers } from '../../../generated/graphql';
import { toGlobalId } from '../../node/globalId';
import { listWarehouseInventory } from '../inventory.service';

export const Warehouse: WarehouseResolvers = {
  id: (warehouse) => toGlobalId('Warehouse', warehouse.id),
  inventory: (warehouse, args, ctx) => listWarehouseInventory(ctx, warehouse.id, args),
};
