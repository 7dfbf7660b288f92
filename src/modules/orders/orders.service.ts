import type { GraphQLContext } from '../../context/GraphQLContext';
import { Prisma, type Order } from '../../generated/prisma/client';
import type { CustomerOrdersArgs, OrderOrderBy, QueryOrdersArgs } from '../../generated/graphql';
import { buildConnection, type CountedConnection } from '../../pagination/connection';
import type { CursorKey } from '../../pagination/cursor';
import { parsePageArgs } from '../../pagination/pageArgs';
import { fromGlobalIdOf } from '../node/globalId';
import { notFound } from '../../errors';
import { visibleOrdersSql, visibleOrdersWhere } from '../../auth/rowScope';
import { recordQuery } from '../../db/databaseWork';
import { orderCriteriaSql, orderCriteriaWhere, parseOrderFilter } from './orderFilter';
import { ORDER_TIMESTAMPS } from './orders.loaders';

const DEFAULT_ORDER_BY: OrderOrderBy = { field: 'CREATED_AT', direction: 'DESC' };
const CUSTOMER_ORDERS_ORDERING = 'customer-orders:CREATED_AT:DESC';

const SORT_COLUMNS = {
  CREATED_AT: { column: 'createdAt', sqlType: 'timestamp(3)', keyOf: (order: Order) => order.createdAt.getTime(), fromKey: (v: number) => new Date(v) },
  TOTAL_AMOUNT: { column: 'totalCents', sqlType: 'integer', keyOf: (order: Order) => order.totalCents, fromKey: (v: number) => v },
} as const;

/** The deprecated TOTAL is the same sort as TOTAL_AMOUNT, with the same cursors. */
const canonicalSortField = (field: OrderOrderBy['field']) => (field === 'TOTAL' ? 'TOTAL_AMOUNT' : field);

/** NOT_FOUND alike for a missing order and another customer's: ids cannot be probed. */
export async function findOrder(ctx: GraphQLContext, id: string): Promise<Order> {
  return (await ctx.loaders.orderById.load(fromGlobalIdOf('Order', id))) ?? notFound('Order');
}

/** orders(...): one statement for the page, plus one for totalCount only when it is selected. */
export async function listOrders(ctx: GraphQLContext, args: QueryOrdersArgs): Promise<CountedConnection<Order>> {
  const requested = args.orderBy ?? DEFAULT_ORDER_BY;
  const orderBy = { ...requested, field: canonicalSortField(requested.field) };
  const ordering = `orders:${orderBy.field}:${orderBy.direction}`;
  const page = parsePageArgs(args, ordering);
  const criteria = parseOrderFilter(args.filter);
  const where: Prisma.OrderWhereInput = { AND: [orderCriteriaWhere(criteria), visibleOrdersWhere(ctx.rowScope)] };
  const sort = SORT_COLUMNS[orderBy.field];
  // A backward page is read in the opposite direction and flipped by buildConnection.
  const ascending = (orderBy.direction === 'ASC') === (page.direction === 'forward');
  const direction = Prisma.raw(ascending ? 'ASC' : 'DESC');
  const column = Prisma.raw(`o."${sort.column}"`);
  // The page is read as SQL through the pool (the hot path: every orders query); the count,
  // asked for only when selected, stays with Prisma.
  const rows = await recordQuery(
    ctx.work,
    ctx.readRows<Order>(
      Prisma.sql`
      SELECT o.* FROM "Order" o
      WHERE TRUE ${orderCriteriaSql(criteria)} ${visibleOrdersSql(ctx.rowScope, 'o')} ${page.cursor ? keysetAfter(column, sort, page.cursor, ascending) : Prisma.empty}
      ORDER BY ${column} ${direction}, o."id" ${direction}
      LIMIT ${page.size + 1}`,
      ORDER_TIMESTAMPS,
    ),
  );
  for (const order of rows) ctx.loaders.orderById.prime(order.id, order);
  return {
    ...buildConnection(rows, page, ordering, (order) => [sort.keyOf(order), order.id]),
    totalCount: () => recordQuery(ctx.work, ctx.prisma.order.count({ where })),
  };
}

/** Customer.orders(...): one statement for the pages of every customer in the query. */
export async function listCustomerOrders(ctx: GraphQLContext, customerId: number, args: CustomerOrdersArgs): Promise<CountedConnection<Order>> {
  const page = parsePageArgs({ first: args.first, after: args.after }, CUSTOMER_ORDERS_ORDERING);
  const { customerId: _ignored, ...criteria } = parseOrderFilter(args.filter);
  const argsKey = JSON.stringify([page.size, page.cursor, criteria]);
  const rows = await ctx.loaders.ordersPageByCustomerId({ page, criteria }, argsKey).load(customerId);
  for (const order of rows) ctx.loaders.orderById.prime(order.id, order);
  return {
    ...buildConnection(rows, page, CUSTOMER_ORDERS_ORDERING, (order) => [order.createdAt.getTime(), order.id]),
    totalCount: async () => {
      const [group] = await ctx.loaders.orderCountByCustomerId(criteria, JSON.stringify(criteria)).load(customerId);
      return group?._count._all ?? 0;
    },
  };
}

/**
 * Rows strictly after the cursor in reading order. Written as `col >= v AND (col > v OR id > i)`
 * rather than a plain OR so that PostgreSQL can range-scan the (col, id) index.
 */
function keysetAfter(
  column: Prisma.Sql,
  sort: { sqlType: string; fromKey: (value: number) => Date | number },
  [value, id]: CursorKey,
  ascending: boolean,
): Prisma.Sql {
  const key = Prisma.sql`${sort.fromKey(Number(value))}::${Prisma.raw(sort.sqlType)}`;
  // (sort key, id) after the cursor's, in the page's direction: ties broken by id.
  return ascending ? Prisma.sql`AND (${column}, o."id") > (${key}, ${id}::integer)` : Prisma.sql`AND (${column}, o."id") < (${key}, ${id}::integer)`;
}
