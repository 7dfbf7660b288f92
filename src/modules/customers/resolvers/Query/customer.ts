import type { QueryResolvers } from '../../../../generated/graphql';
import { findCustomer } from '../../customers.service';

export const customer: QueryResolvers['customer'] = (_parent, args, ctx) => findCustomer(ctx, args.id);
