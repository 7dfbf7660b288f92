import type { GraphQLContext } from '../../context/GraphQLContext';
import type { Customer } from '../../generated/prisma/client';
import { fromGlobalIdOf } from '../node/globalId';

export function findCustomer(ctx: GraphQLContext, id: string): Promise<Customer | null> {
  return ctx.loaders.customerById.load(fromGlobalIdOf('Customer', id));
}
