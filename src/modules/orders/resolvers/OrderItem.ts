import type { Product } from '../../../generated/prisma/client';
import type { OrderItemResolvers } from '../../../generated/graphql';
import { money } from '../../base/money';
import { toGlobalId } from '../../node/globalId';

export const OrderItem: OrderItemResolvers = {
  id: (item) => toGlobalId('OrderItem', item.id),
  // The foreign key guarantees the product exists.
  product: (item, _args, ctx) => ctx.loaders.productById.load(item.productId) as Promise<Product>,
  unitPrice: (item) => money(item.unitPriceCents, item.order.currency),
  lineTotal: (item) => money(item.quantity * item.unitPriceCents, item.order.currency),
};
