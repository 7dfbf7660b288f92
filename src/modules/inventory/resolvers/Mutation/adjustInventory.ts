import type { MutationResolvers } from '../../../../generated/graphql';
import { adjustInventory as adjustInventoryCommand } from '../../inventoryCommands.service';

export const adjustInventory: MutationResolvers['adjustInventory'] = (_parent, args, ctx, info) => adjustInventoryCommand(ctx, args, String(info.path.key));
