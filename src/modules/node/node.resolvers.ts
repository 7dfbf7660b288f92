import type { Resolvers } from '../../generated/graphql';
import { Node } from './resolvers/Node';
import { node } from './resolvers/Query/node';
import { nodes } from './resolvers/Query/nodes';

export const nodeResolvers: Resolvers = {
  Query: { node, nodes },
  Node,
};
