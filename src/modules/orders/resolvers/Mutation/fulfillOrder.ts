import type { MutationResolvers } from '../../../../generated/graphql';
import { transitionOrder } from '../../orderCommands.service';

export const fulfillOrder: MutationResolvers['fulfillOrder'] = (_parent, args, ctx) => transitionOrder(ctx, args.id, 'fulfil');
