import type { MutationResolvers } from '../../../../generated/graphql';
import { transitionOrder } from '../../orderCommands.service';

export const markOrderPaid: MutationResolvers['markOrderPaid'] = (_parent, args, ctx) => transitionOrder(ctx, args.id, 'pay');
