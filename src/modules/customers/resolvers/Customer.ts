import type { CustomerResolvers } from '../../../generated/graphql';
import { toGlobalId } from '../../node/globalId';
import { listCustomerOrders } from '../../orders/orders.service';

export const Customer: CustomerResolvers = {
  id: (customer) => toGlobalId('Customer', customer.id),
  orders: (customer, args, ctx) => listCustomerOrders(ctx, customer.id, args),
};
