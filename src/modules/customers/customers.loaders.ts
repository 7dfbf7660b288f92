import { visibleCustomersSql, type RowScope } from '../../auth/rowScope';
import type { ReadRows } from '../../db/rowReader';
import { Prisma, type Customer } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';

export function createCustomersLoaders(readRows: ReadRows, loaders: LoaderFactory, scope: RowScope) {
  return {
    customerById: loaders.one(
      (ids: readonly number[]) =>
        readRows<Customer>(Prisma.sql`SELECT * FROM "Customer" c WHERE c."id" = ANY(${[...ids]}::int[]) ${visibleCustomersSql(scope, 'c')}`, ['createdAt']),
      (customer) => customer.id,
    ),
  };
}
