import type { RowScope } from '../../auth/rowScope';
import type { PrismaClient } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';

export function createCustomersLoaders(prisma: PrismaClient, loaders: LoaderFactory, scope: RowScope) {
  // A shopper can load only their own record.
  const visible = scope.customerId === null ? {} : { id: scope.customerId };
  return {
    customerById: loaders.one(
      (ids: readonly number[]) => prisma.customer.findMany({ where: { AND: [{ id: { in: [...ids] } }, visible] } }),
      (customer) => customer.id,
    ),
  };
}
