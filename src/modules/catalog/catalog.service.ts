import type { GraphQLContext } from '../../context/GraphQLContext';
import { recordQuery } from '../../db/databaseWork';
import { BadUserInputError, NotFoundError } from '../../errors';
import type { Prisma, Product } from '../../generated/prisma/client';
import type { ProductFilter, QueryProductsArgs } from '../../generated/graphql';
import { buildConnection, type CountedConnection } from '../../pagination/connection';
import { parsePageArgs } from '../../pagination/pageArgs';
import { fromGlobalIdOf } from '../node/globalId';

const PRODUCT_ORDERING = 'products:id';
const MAX_SEARCH_LENGTH = 100;

export async function findProduct(ctx: GraphQLContext, args: { id?: string | null; sku?: string | null }): Promise<Product> {
  if ((args.id == null) === (args.sku == null)) {
    throw new BadUserInputError('Pass exactly one of "id" or "sku".', { argument: 'id' });
  }
  const product = args.id != null
    ? await ctx.loaders.productById.load(fromGlobalIdOf('Product', args.id))
    : await ctx.loaders.productBySku.load(args.sku!);
  if (!product) throw new NotFoundError(args.id != null ? 'No Product has this id.' : `No Product has SKU ${JSON.stringify(args.sku)}.`);
  return product;
}

export async function listProducts(ctx: GraphQLContext, args: QueryProductsArgs): Promise<CountedConnection<Product>> {
  const page = parsePageArgs({ first: args.first, after: args.after }, PRODUCT_ORDERING);
  const where = productWhere(args.filter);
  const afterCursor = page.cursor ? { id: { gt: page.cursor[1] } } : {};
  const rows = await recordQuery(ctx.work, ctx.prisma.product.findMany({
    where: { ...where, ...afterCursor },
    orderBy: { id: 'asc' },
    take: page.size + 1,
  }));
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
  if (filter?.search != null) {
    const search = filter.search.trim();
    if (search.length === 0 || search.length > MAX_SEARCH_LENGTH) {
      throw new BadUserInputError(`"filter.search" must be 1 to ${MAX_SEARCH_LENGTH} characters.`, { argument: 'filter.search' });
    }
    where.OR = [
      { name: { contains: search, mode: 'insensitive' } },
      { sku: { contains: search, mode: 'insensitive' } },
    ];
  }
  return where;
}
