import type { Resolvers } from '../../generated/graphql';
import { Product } from './resolvers/Product';
import { ProductConnection } from './resolvers/ProductConnection';
import { product } from './resolvers/Query/product';
import { products } from './resolvers/Query/products';

export const catalogResolvers: Resolvers = {
  Query: { product, products },
  Product,
  ProductConnection,
};
