import type { RowScope } from '../../auth/rowScope';
import { Prisma, type Customer, type PrismaClient } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';

export function createCustomersLoaders(prisma: PrismaClient, loaders: LoaderFactory, scope: RowScope) {
  // A shopper can load only their own record.
  const visible = scope.customerId === null ? Prisma.empty : Prisma.sql`AND "id" = ${scope.customerId}`;
  return {
    customerById: loaders.one(
      (ids: readonly number[]) => prisma.$queryRaw<Customer[]>`SELECT * FROM "Customer" WHERE "id" = ANY(${[...ids]}::int[]) ${visible}`,
      (customer) => customer.id,
    ),
  };
}
