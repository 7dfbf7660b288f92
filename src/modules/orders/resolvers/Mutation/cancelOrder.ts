import type { MutationResolvers } from '../../../../generated/graphql';
import { transitionOrder } from '../../orderCommands.service';

export const cancelOrder: MutationResolvers['cancelOrder'] = (_parent, args, ctx, info) =>
  transitionOrder(ctx, args.id, 'cancel', String(info.path.key), { reason: args.reason });
