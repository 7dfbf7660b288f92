import type { QueryResolvers } from '../../../../generated/graphql';
import { listProducts } from '../../catalog.service';

export const products: QueryResolvers['products'] = (_parent, args, ctx) => listProducts(ctx, args);
