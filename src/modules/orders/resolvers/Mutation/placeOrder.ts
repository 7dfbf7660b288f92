import type { MutationResolvers } from '../../../../generated/graphql';
import { placeOrder as placeOrderCommand } from '../../orderCommands.service';

export const placeOrder: MutationResolvers['placeOrder'] = (_parent, args, ctx, info) => placeOrderCommand(ctx, args.input, String(info.path.key));
