import type { SubscriptionResolvers } from '../../../../generated/graphql';
import { orderStatusChanges, type OrderStatusChangeEvent } from '../../orderSubscriptions.service';

export const orderStatusChanged: SubscriptionResolvers['orderStatusChanged'] = {
  subscribe: (_parent, args, ctx) => orderStatusChanges(ctx, args.orderId),
  resolve: (event: OrderStatusChangeEvent) => event,
};
