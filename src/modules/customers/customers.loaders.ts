import { visibleCustomersSql, type RowScope } from '../../auth/rowScope';
import type { Customer, PrismaClient } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';

export function createCustomersLoaders(prisma: PrismaClient, loaders: LoaderFactory, scope: RowScope) {
  return {
    customerById: loaders.one(
      (ids: readonly number[]) =>
        prisma.$queryRaw<Customer[]>`SELECT * FROM "Customer" c WHERE c."id" = ANY(${[...ids]}::int[]) ${visibleCustomersSql(scope, 'c')}`,
      (customer) => customer.id,
    ),
  };
}
