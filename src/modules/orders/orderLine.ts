import type { Prisma } from '../../generated/prisma/client';

/**
 * An order item as the OrderItem type resolves it: with its order's currency, which prices
 * the line (OrderItem has no currency of its own). Loaded with a join, in the same statement.
 */
export const ORDER_LINE_INCLUDE = { order: { select: { currency: true } } } as const satisfies Prisma.OrderItemInclude;
export type OrderLine = Prisma.OrderItemGetPayload<{ include: typeof ORDER_LINE_INCLUDE }>;
