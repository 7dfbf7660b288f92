import type { QueryResolvers } from '../../../../generated/graphql';
import { findNodes } from '../../node.service';

export const nodes: QueryResolvers['nodes'] = (_parent, args, ctx) => findNodes(ctx, args.ids);
