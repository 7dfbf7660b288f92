import type { Resolvers } from '../../generated/graphql';
import { Order } from './resolvers/Order';
import { OrderConnection } from './resolvers/OrderConnection';
import { OrderItem } from './resolvers/OrderItem';
import { order } from './resolvers/Query/order';
import { orders } from './resolvers/Query/orders';

export const ordersResolvers: Resolvers = {
  Query: { order, orders },
  Order,
  OrderItem,
  OrderConnection,
};
