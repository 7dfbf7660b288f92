import type { RowScope } from '../auth/rowScope';
import type { ReadRows } from '../db/rowReader';
import type { PrismaClient } from '../generated/prisma/client';
import type { Resolvers } from '../generated/graphql';
import type { LoaderFactory } from '../loaders/loaderFactory';
import { baseResolvers } from './base/base.resolvers';
import { catalogResolvers } from './catalog/catalog.resolvers';
import { createCatalogLoaders } from './catalog/catalog.loaders';
import { customersResolvers } from './customers/customers.resolvers';
import { createCustomersLoaders } from './customers/customers.loaders';
import { inventoryResolvers } from './inventory/inventory.resolvers';
import { createInventoryLoaders } from './inventory/inventory.loaders';
import { nodeResolvers } from './node/node.resolvers';
import { ordersResolvers } from './orders/orders.resolvers';
import { createOrdersLoaders } from './orders/orders.loaders';

/** The one list of domain modules. Adding a domain: its SDL folder, its module folder, a line here. */
export const resolverModules: Resolvers[] = [baseResolvers, nodeResolvers, catalogResolvers, inventoryResolvers, ordersResolvers, customersResolvers];

/** The request's loaders; loaders of customer-owned rows apply the viewer's row scope in SQL. */
export function createLoaders(prisma: PrismaClient, readRows: ReadRows, factory: LoaderFactory, scope: RowScope) {
  return {
    ...createCatalogLoaders(readRows, factory),
    ...createInventoryLoaders(readRows, factory),
    ...createOrdersLoaders(prisma, readRows, factory, scope),
    ...createCustomersLoaders(readRows, factory, scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
