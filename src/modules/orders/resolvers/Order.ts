import type { Customer } from '../../../generated/prisma/client';
import type { OrderResolvers } from '../../../generated/graphql';
import { money } from '../../base/money';
import { toGlobalId } from '../../node/globalId';

export const Order: OrderResolvers = {
  id: (order) => toGlobalId('Order', order.id),
  // The foreign key guarantees the customer exists.
  customer: (order, _args, ctx) => ctx.loaders.customerById.load(order.customerId) as Promise<Customer>,
  items: (order, _args, ctx) => ctx.loaders.itemsByOrderId.load(order.id),
  total: (order) => money(order.totalCents, order.currency),
  itemCount: async (order, _args, ctx) => {
    const items = await ctx.loaders.itemsByOrderId.load(order.id);
    return items.reduce((sum, item) => sum + item.quantity, 0);
  },
};
