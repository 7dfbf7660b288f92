import type { GraphQLContext } from '../../context/GraphQLContext';
import { BadUserInputError } from '../../errors';
import type { Customer, InventoryLevel, Order, Product, Warehouse } from '../../generated/prisma/client';
import type { OrderLine } from '../orders/orderLine';
import { fromGlobalId, type NodeType } from './globalId';

export const MAX_NODES = 100;

/** A row fetched through node(id:), tagged with its GraphQL type for Node.__resolveType. */
type NodeEntity = Customer | Product | Warehouse | InventoryLevel | Order | OrderLine;
export type NodeRow = NodeEntity & { __typename: NodeType };

// Every Node type's by-id loader: node(id:) shares the batches and caches of ordinary fields.
const loadByType: Record<NodeType, (ctx: GraphQLContext, id: number) => Promise<NodeEntity | null>> = {
  Customer: (ctx, id) => ctx.loaders.customerById.load(id),
  Product: (ctx, id) => ctx.loaders.productById.load(id),
  Warehouse: (ctx, id) => ctx.loaders.warehouseById.load(id),
  InventoryLevel: (ctx, id) => ctx.loaders.inventoryLevelById.load(id),
  Order: (ctx, id) => ctx.loaders.orderById.load(id),
  OrderItem: (ctx, id) => ctx.loaders.orderItemById.load(id),
};

export async function findNode(ctx: GraphQLContext, globalId: string, argument = 'id'): Promise<NodeRow | null> {
  const { type, id } = fromGlobalId(globalId, argument);
  const row = await loadByType[type](ctx, id);
  return row ? { ...row, __typename: type } : null;
}

export function findNodes(ctx: GraphQLContext, globalIds: readonly string[]): Promise<Array<NodeRow | null>> {
  if (globalIds.length > MAX_NODES) {
    throw new BadUserInputError(`Argument "ids" has ${globalIds.length} ids; at most ${MAX_NODES} are allowed.`, { argument: 'ids' });
  }
  // Decode every id first, so one malformed id fails the field before any query runs.
  globalIds.forEach((globalId, index) => fromGlobalId(globalId, `ids[${index}]`));
  return Promise.all(globalIds.map((globalId, index) => findNode(ctx, globalId, `ids[${index}]`)));
}
