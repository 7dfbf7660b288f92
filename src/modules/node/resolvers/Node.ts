import type { NodeResolvers } from '../../../generated/graphql';
import type { NodeRow } from '../node.service';

export const Node: NodeResolvers = {
  __resolveType: (row) => (row as NodeRow).__typename,
};
