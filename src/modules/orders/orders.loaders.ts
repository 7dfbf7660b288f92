import { visibleOrderItemsWhere, visibleOrdersSql, visibleOrdersWhere, type RowScope } from '../../auth/rowScope';
import { Prisma, type Order, type PrismaClient } from '../../generated/prisma/client';
import type { LoaderFactory } from '../../loaders/loaderFactory';
import type { PageRequest } from '../../pagination/pageArgs';
import type { ReadRows, TimestampColumn } from '../../db/rowReader';
import { ORDER_LINE_INCLUDE, type OrderLine } from './orderLine';
import { orderCriteriaSql, orderCriteriaWhere, type OrderCriteria } from './orderFilter';

/** The `timestamp` columns of an order row. */
export const ORDER_TIMESTAMPS = ['createdAt', 'updatedAt'] as const satisfies readonly TimestampColumn<Order>[];

/** The arguments of Customer.orders, validated: one loader (one statement) per distinct set. */
export interface CustomerOrdersPage {
  page: PageRequest;
  criteria: OrderCriteria;
}

export function createOrdersLoaders(prisma: PrismaClient, readRows: ReadRows, loaders: LoaderFactory, scope: RowScope) {
  // Whatever the ids asked for, only the rows of the viewer's scope come back.
  return {
    orderById: loaders.one(
      (ids: readonly number[]) =>
        readRows<Order>(Prisma.sql`SELECT * FROM "Order" o WHERE o."id" = ANY(${[...ids]}::int[]) ${visibleOrdersSql(scope, 'o')}`, ORDER_TIMESTAMPS),
      (order) => order.id,
    ),
    orderItemById: loaders.one(
      (ids: readonly number[]) =>
        prisma.orderItem.findMany({
          where: { id: { in: [...ids] }, ...visibleOrderItemsWhere(scope) },
          include: ORDER_LINE_INCLUDE,
          relationLoadStrategy: 'join',
        }),
      (item) => item.id,
    ),
    itemsByOrderId: loaders.many(
      (orderIds: readonly number[]) =>
        readRows<OrderLine>(Prisma.sql`
          SELECT i.*, json_build_object('currency', o."currency") AS "order"
          FROM "OrderItem" i JOIN "Order" o ON o."id" = i."orderId"
          WHERE i."orderId" = ANY(${[...orderIds]}::int[]) ${visibleOrdersSql(scope, 'o')} ORDER BY i."id"`),
      (item) => item.orderId,
    ),
    /** size + 1 orders per customer, newest first, for every customer in one statement. */
    ordersPageByCustomerId: loaders.manyPerArgs(
      ({ page, criteria }: CustomerOrdersPage, customerIds: readonly number[]) =>
        readRows<Order>(
          Prisma.sql`
          SELECT "id", "customerId", "status", "currency", "totalCents", "createdAt", "updatedAt", "cancelReason" FROM (
            SELECT o.*, row_number() OVER (PARTITION BY o."customerId" ORDER BY o."createdAt" DESC, o."id" DESC) AS position
            FROM "Order" o
            WHERE o."customerId" = ANY(${[...customerIds]}::int[]) ${orderCriteriaSql(criteria)} ${beforeCursor(page)}
              ${visibleOrdersSql(scope, 'o')}
          ) ranked
          WHERE position <= ${page.size + 1}
          ORDER BY "customerId", position`,
          ORDER_TIMESTAMPS,
        ),
      (order) => order.customerId,
    ),
    orderCountByCustomerId: loaders.manyPerArgs(
      (criteria: OrderCriteria, customerIds: readonly number[]) =>
        prisma.order.groupBy({
          by: ['customerId'],
          where: { AND: [orderCriteriaWhere(criteria), { customerId: { in: [...customerIds] } }, visibleOrdersWhere(scope)] },
          _count: { _all: true },
        }),
      (group) => group.customerId,
    ),
  };
}

/** Customer.orders runs newest first, so its next page lies before the cursor. */
function beforeCursor(page: PageRequest): Prisma.Sql {
  if (!page.cursor) return Prisma.empty;
  return Prisma.sql`AND (o."createdAt", o."id") < (${new Date(page.cursor[0])}, ${page.cursor[1]})`;
}
