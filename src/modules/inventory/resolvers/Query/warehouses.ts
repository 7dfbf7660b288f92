import type { QueryResolvers } from '../../../../generated/graphql';
import { listWarehouses } from '../../inventory.service';

export const warehouses: QueryResolvers['warehouses'] = (_parent, _args, ctx) => listWarehouses(ctx);
