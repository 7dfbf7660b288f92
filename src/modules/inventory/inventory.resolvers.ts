import type { Resolvers } from '../../generated/graphql';
import { InventoryLevel } from './resolvers/InventoryLevel';
import { warehouses } from './resolvers/Query/warehouses';
import { adjustInventory } from './resolvers/Mutation/adjustInventory';
import { Warehouse } from './resolvers/Warehouse';

export const inventoryResolvers: Resolvers = {
  Query: { warehouses },
  Mutation: { adjustInventory },
  Warehouse,
  InventoryLevel,
};
