import type { MutationResolvers } from '../../../../generated/graphql';
import { transitionOrder } from '../../orderCommands.service';

export const cancelOrder: MutationResolvers['cancelOrder'] = (_parent, args, ctx) => transitionOrder(ctx, args.id, 'cancel', { reason: args.reason });
