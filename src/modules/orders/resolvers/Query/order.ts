import type { QueryResolvers } from '../../../../generated/graphql';
import { findOrder } from '../../orders.service';

export const order: QueryResolvers['order'] = (_parent, args, ctx) => findOrder(ctx, args.id);
