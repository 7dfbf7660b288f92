import type { GraphQLContext } from '../../context/GraphQLContext';
import { isAllowed } from '../../auth/accessRules';
import { AuthenticationRequiredError, BadUserInputError, ForbiddenError, notFound } from '../../errors';
import type { Customer, Order, Warehouse } from '../../generated/prisma/client';
import type { ProductRow } from '../catalog/productRow';
import type { InventoryLevelRow } from '../inventory/inventoryLevelRow';
import type { OrderLine } from '../orders/orderLine';
import { fromGlobalId, type NodeType } from './globalId';

export const MAX_NODES = 100;

/** A row fetched through node(id:), tagged with its GraphQL type for Node.__resolveType. */
type NodeEntity = Customer | ProductRow | Warehouse | InventoryLevelRow | Order | OrderLine;
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

export async function findNode(ctx: GraphQLContext, globalId: string, argument = 'id'): Promise<NodeRow> {
  const { type, id } = fromGlobalId(globalId, argument);
  authorizeType(ctx, type);
  const row = await loadByType[type](ctx, id);
  return row ? { ...row, __typename: type } : notFound(type);
}

/** One promise per id, so that an id the viewer may not read fails alone, at its index. */
export function findNodes(ctx: GraphQLContext, globalIds: readonly string[]): Array<Promise<NodeRow>> {
  if (globalIds.length > MAX_NODES) {
    throw new BadUserInputError(`Argument "ids" has ${globalIds.length} ids; at most ${MAX_NODES} are allowed.`, { argument: 'ids' });
  }
  // Decode every id first, so one malformed id fails the field before any query runs.
  globalIds.forEach((globalId, index) => fromGlobalId(globalId, `ids[${index}]`));
  return globalIds.map((globalId, index) => findNode(ctx, globalId, `ids[${index}]`));
}

/**
 * node(id:) is declared @public, since what it returns is only known from the id: the rule of
 * the type the id names is checked here, before anything is loaded.
 */
function authorizeType(ctx: GraphQLContext, type: NodeType): void {
  const rule = ctx.accessRules.ofType(type);
  if (!rule || isAllowed(rule, ctx.viewer?.scopes)) return;
  const needs = rule.public ? '' : rule.requires.join(', ');
  if (!ctx.viewer) throw new AuthenticationRequiredError(`Authentication required: a ${type} needs ${needs}.`);
  throw new ForbiddenError(`Not authorized: a ${type} needs ${needs}.`);
}
