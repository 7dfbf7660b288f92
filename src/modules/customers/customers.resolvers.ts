import type { Resolvers } from '../../generated/graphql';
import { Customer } from './resolvers/Customer';
import { customer } from './resolvers/Query/customer';

export const customersResolvers: Resolvers = {
  Query: { customer },
  Customer,
};
