import type { MutationResolvers } from '../../../../generated/graphql';
import { adjustInventory as adjustInventoryCommand } from '../../inventoryCommands.service';

export const adjustInventory: MutationResolvers['adjustInventory'] = (_parent, args, ctx) => adjustInventoryCommand(ctx, args);
