import type { PrismaClient } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';

export function createCustomersLoaders(prisma: PrismaClient, loaders: LoaderFactory) {
  return {
    customerById: loaders.one(
      (ids: readonly number[]) => prisma.customer.findMany({ where: { id: { in: [...ids] } } }),
      (customer) => customer.id,
    ),
  };
}
