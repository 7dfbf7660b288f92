import type { MutationResolvers } from '../../../../generated/graphql';
import { transitionOrder } from '../../orderCommands.service';

export const markOrderPaid: MutationResolvers['markOrderPaid'] = (_parent, args, ctx, info) => transitionOrder(ctx, args.id, 'pay', String(info.path.key));
