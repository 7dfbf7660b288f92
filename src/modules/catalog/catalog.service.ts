import type { GraphQLContext } from '../../context/GraphQLContext';
import { recordQuery } from '../../db/databaseWork';
import { BadUserInputError, NotFoundError } from '../../errors';
import type { Prisma, Product } from '../../generated/prisma/client';
import type { ProductFilter, QueryProductsArgs } from '../../generated/graphql';
import { buildConnection, type CountedConnection } from '../../pagination/connection';
import { parsePageArgs } from '../../pagination/pageArgs';
import { fromGlobalIdOf } from '../node/globalId';
import type { ProductRow } from './productRow';

const PRODUCT_ORDERING = 'products:id';
const MAX_SEARCH_LENGTH = 100;

export async function findProduct(ctx: GraphQLContext, args: { id?: string | null; sku?: string | null }): Promise<ProductRow> {
  // A form's empty field is no value: product(id: "", sku: "SKU-00001") looks up by SKU.
  const id = args.id === '' ? null : args.id;
  const sku = args.sku?.trim() ? args.sku : null;
  if ((id == null) === (sku == null)) {
    throw new BadUserInputError('Pass exactly one of "id" or "sku" (an empty one counts as not given).', { argument: 'id' });
  }
  const product = id != null ? await ctx.loaders.productById.load(fromGlobalIdOf('Product', id)) : await ctx.loaders.productBySku.load(sku!);
  if (!product) throw new NotFoundError(id != null ? 'No Product has this id.' : `No Product has SKU ${JSON.stringify(sku)}.`);
  return product;
}

export async function listProducts(ctx: GraphQLContext, args: QueryProductsArgs): Promise<CountedConnection<Product>> {
  const page = parsePageArgs({ first: args.first, after: args.after }, PRODUCT_ORDERING);
  const where = productWhere(args.filter);
  const afterCursor = page.cursor ? { id: { gt: page.cursor[1] } } : {};
  const rows = await recordQuery(
    ctx.work,
    ctx.prisma.product.findMany({
      where: { ...where, ...afterCursor },
      orderBy: { id: 'asc' },
      take: page.size + 1,
    }),
  );
  for (const product of rows) {
    ctx.loaders.productById.prime(product.id, product);
    ctx.loaders.productBySku.prime(product.sku, product);
  }
  return {
    ...buildConnection(rows, page, PRODUCT_ORDERING, (product) => [product.id, product.id]),
    totalCount: () => recordQuery(ctx.work, ctx.prisma.product.count({ where })),
  };
}

function productWhere(filter: ProductFilter | null | undefined): Prisma.ProductWhereInput {
  const where: Prisma.ProductWhereInput = {};
  if (filter?.active != null) where.active = filter.active;
  // An empty search box (or only spaces) means no search, as a frontend sends it.
  const search = filter?.search?.trim();
  if (search) {
    if (search.length > MAX_SEARCH_LENGTH) {
      throw new BadUserInputError(`"filter.search" is at most ${MAX_SEARCH_LENGTH} characters.`, { argument: 'filter.search' });
    }
    where.OR = [{ name: { contains: search, mode: 'insensitive' } }, { sku: { contains: search, mode: 'insensitive' } }];
  }
  return where;
}
