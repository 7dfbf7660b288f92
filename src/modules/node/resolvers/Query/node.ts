import type { QueryResolvers } from '../../../../generated/graphql';
import { findNode } from '../../node.service';

export const node: QueryResolvers['node'] = (_parent, args, ctx) => findNode(ctx, args.id);
