import type { Resolvers } from '../../generated/graphql';
import { Order } from './resolvers/Order';
import { OrderConnection } from './resolvers/OrderConnection';
import { OrderItem } from './resolvers/OrderItem';
import { order } from './resolvers/Query/order';
import { orders } from './resolvers/Query/orders';
import { cancelOrder } from './resolvers/Mutation/cancelOrder';
import { fulfillOrder } from './resolvers/Mutation/fulfillOrder';
import { markOrderPaid } from './resolvers/Mutation/markOrderPaid';
import { placeOrder } from './resolvers/Mutation/placeOrder';
import { OrderStatusChange } from './resolvers/OrderStatusChange';
import { orderStatusChanged } from './resolvers/Subscription/orderStatusChanged';

export const ordersResolvers: Resolvers = {
  Query: { order, orders },
  Mutation: { placeOrder, cancelOrder, markOrderPaid, fulfillOrder },
  Subscription: { orderStatusChanged },
  OrderStatusChange,
  Order,
  OrderItem,
  OrderConnection,
};
