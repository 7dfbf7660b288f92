import type { Order } from '../../../generated/prisma/client';
import type { OrderStatusChangeResolvers } from '../../../generated/graphql';

export const OrderStatusChange: OrderStatusChangeResolvers = {
  order: (change, _args, ctx) => ctx.loaders.orderById.load(change.orderId) as Promise<Order>,
};
