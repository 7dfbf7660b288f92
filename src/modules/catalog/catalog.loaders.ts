import type { ReadRows } from '../../db/rowReader';
import { Prisma, type PrismaClient, type Product } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';

export function createCatalogLoaders(prisma: PrismaClient, readRows: ReadRows, loaders: LoaderFactory) {
  return {
    productById: loaders.one(
      (ids: readonly number[]) => readRows<Product>(Prisma.sql`SELECT * FROM "Product" WHERE "id" = ANY(${[...ids]}::int[])`),
      (product) => product.id,
    ),
    productBySku: loaders.one(
      (skus: readonly string[]) => prisma.product.findMany({ where: { sku: { in: [...skus] } } }),
      (product) => product.sku,
    ),
  };
}
