import type { QueryResolvers } from '../../../../generated/graphql';
import { findProduct } from '../../catalog.service';

export const product: QueryResolvers['product'] = (_parent, args, ctx) => findProduct(ctx, args);
