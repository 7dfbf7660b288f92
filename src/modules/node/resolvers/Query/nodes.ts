import type { QueryResolvers } from '../../../../generated/graphql';
import { findNodes, type NodeRow } from '../../node.service';

// graphql-js accepts a promise per list item (so each id fails alone); the generated type
// only knows promises of the whole list.
export const nodes: QueryResolvers['nodes'] = (_parent, args, ctx) => findNodes(ctx, args.ids) as unknown as NodeRow[];
