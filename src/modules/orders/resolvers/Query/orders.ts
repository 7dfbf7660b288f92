import type { QueryResolvers } from '../../../../generated/graphql';
import { listOrders } from '../../orders.service';

export const orders: QueryResolvers['orders'] = (_parent, args, ctx) => listOrders(ctx, args);
