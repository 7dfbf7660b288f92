import type { ProductConnectionResolvers } from '../../../generated/graphql';

export const ProductConnection: ProductConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};
