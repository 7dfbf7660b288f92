import type { OrderConnectionResolvers } from '../../../generated/graphql';

export const OrderConnection: OrderConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};
