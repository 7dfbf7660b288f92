import { selectColumns } from '../../db/columns';
import type { ReadRows } from '../../db/rowReader';
import { Prisma } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';
import { PRODUCT_COLUMNS, type ProductRow } from './productRow';

export function createCatalogLoaders(readRows: ReadRows, loaders: LoaderFactory) {
  return {
    productById: loaders.one(
      (ids: readonly number[]) =>
        readRows<ProductRow>(Prisma.sql`SELECT ${selectColumns(PRODUCT_COLUMNS, 'p')} FROM "Product" p WHERE p."id" = ANY(${[...ids]}::int[])`),
      (product) => product.id,
    ),
    productBySku: loaders.one(
      (skus: readonly string[]) =>
        readRows<ProductRow>(Prisma.sql`SELECT ${selectColumns(PRODUCT_COLUMNS, 'p')} FROM "Product" p WHERE p."sku" = ANY(${[...skus]}::text[])`),
      (product) => product.sku,
    ),
  };
}
