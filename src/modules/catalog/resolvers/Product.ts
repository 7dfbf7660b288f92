import type { ProductResolvers } from '../../../generated/graphql';
import { money } from '../../base/money';
import { toGlobalId } from '../../node/globalId';

export const Product: ProductResolvers = {
  id: (product) => toGlobalId('Product', product.id),
  price: (product) => money(product.priceCents, product.currency),
  inventory: (product, _args, ctx) => ctx.loaders.inventoryByProductId.load(product.id),
  totalAvailable: async (product, _args, ctx) => {
    const levels = await ctx.loaders.inventoryByProductId.load(product.id);
    return levels.reduce((sum, level) => sum + level.onHand - level.reserved, 0);
  },
};
