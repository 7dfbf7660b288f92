import type { Resolvers } from '../../generated/graphql';
import { InventoryLevel } from './resolvers/InventoryLevel';
import { warehouses } from './resolvers/Query/warehouses';
import { Warehouse } from './resolvers/Warehouse';

export const inventoryResolvers: Resolvers = {
  Query: { warehouses },
  Warehouse,
  InventoryLevel,
};
