import type { GraphQLContext } from '../../context/GraphQLContext';
import type { Customer } from '../../generated/prisma/client';
import { notFound } from '../../errors';
import { fromGlobalIdOf } from '../node/globalId';

export async function findCustomer(ctx: GraphQLContext, id: string): Promise<Customer> {
  return (await ctx.loaders.customerById.load(fromGlobalIdOf('Customer', id))) ?? notFound('Customer');
}
