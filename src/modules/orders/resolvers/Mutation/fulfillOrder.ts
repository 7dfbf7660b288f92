import type { MutationResolvers } from '../../../../generated/graphql';
import { transitionOrder } from '../../orderCommands.service';

export const fulfillOrder: MutationResolvers['fulfillOrder'] = (_parent, args, ctx, info) => transitionOrder(ctx, args.id, 'fulfil', String(info.path.key));
