import { Prisma } from '../../generated/prisma/client';
import type { OrderFilter, OrderStatus } from '../../generated/graphql';
import { fromGlobalIdOf } from '../node/globalId';

/** An OrderFilter, validated and with its global ids decoded. */
export interface OrderCriteria {
  customerId?: number;
  status?: OrderStatus;
  createdAfter?: Date;
  createdBefore?: Date;
}

export function parseOrderFilter(filter: OrderFilter | null | undefined): OrderCriteria {
  if (!filter) return {};
  const criteria: OrderCriteria = {};
  // An empty customer id is a cleared form field: no condition.
  if (filter.customerId != null && filter.customerId !== '') criteria.customerId = fromGlobalIdOf('Customer', filter.customerId, 'filter.customerId');
  if (filter.status != null) criteria.status = filter.status;
  if (filter.createdAfter != null) criteria.createdAfter = filter.createdAfter;
  if (filter.createdBefore != null) criteria.createdBefore = filter.createdBefore;
  // createdAfter at or after createdBefore is an empty range, answered with no orders (as a
  // date picker may well produce), not an error.
  return criteria;
}

export function orderCriteriaWhere(criteria: OrderCriteria): Prisma.OrderWhereInput {
  const where: Prisma.OrderWhereInput = {};
  if (criteria.customerId !== undefined) where.customerId = criteria.customerId;
  if (criteria.status !== undefined) where.status = criteria.status;
  if (criteria.createdAfter || criteria.createdBefore) {
    where.createdAt = {
      ...(criteria.createdAfter ? { gte: criteria.createdAfter } : {}),
      ...(criteria.createdBefore ? { lt: criteria.createdBefore } : {}),
    };
  }
  return where;
}

/** The same conditions as SQL over an "Order" aliased `o`, each prefixed with AND. */
export function orderCriteriaSql(criteria: OrderCriteria): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (criteria.customerId !== undefined) conditions.push(Prisma.sql`AND o."customerId" = ${criteria.customerId}`);
  if (criteria.status !== undefined) conditions.push(Prisma.sql`AND o."status" = ${criteria.status}::"OrderStatus"`);
  if (criteria.createdAfter) conditions.push(Prisma.sql`AND o."createdAt" >= ${criteria.createdAfter}`);
  if (criteria.createdBefore) conditions.push(Prisma.sql`AND o."createdAt" < ${criteria.createdBefore}`);
  return conditions.length ? Prisma.join(conditions, ' ') : Prisma.empty;
}
