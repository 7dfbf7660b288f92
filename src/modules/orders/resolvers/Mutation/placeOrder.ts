import type { MutationResolvers } from '../../../../generated/graphql';
import { placeOrder as placeOrderCommand } from '../../orderCommands.service';

export const placeOrder: MutationResolvers['placeOrder'] = (_parent, args, ctx) => placeOrderCommand(ctx, args.input);
