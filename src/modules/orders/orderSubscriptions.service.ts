import type { GraphQLContext } from '../../context/GraphQLContext';
import type { FeedEvent } from '../../events/eventFeed';
import { notFound } from '../../errors';
import type { OrderStatus } from '../../generated/prisma/client';
import { fromGlobalIdOf } from '../node/globalId';

const ORDER_EVENTS = new Set(['order.placed', 'order.paid', 'order.cancelled', 'order.fulfilled']);

export interface OrderStatusChangeEvent {
  orderId: number;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  occurredAt: Date;
}

/**
 * The status changes of one order, as they are committed. Subscribing needs the order to be
 * visible to the viewer (rowScope.ts), as for order(id:); the subscription ends when a change
 * takes the order out of the viewer's sight (a cancelled order, for warehouse staff).
 */
export async function* orderStatusChanges(ctx: GraphQLContext, globalOrderId: string): AsyncGenerator<OrderStatusChangeEvent> {
  const orderId = fromGlobalIdOf('Order', globalOrderId, 'orderId');
  if (!(await ctx.loaders.orderById.load(orderId))) notFound('Order');
  const queue: FeedEvent[] = [];
  let wake: (() => void) | undefined;
  const stop = await ctx.eventFeed.listen((event) => {
    if (!ORDER_EVENTS.has(event.type) || event.payload.orderId !== globalOrderId) return;
    queue.push(event);
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const event = queue.shift()!;
      // The order is read afresh for each change (this context outlives many of them), through
      // the row scope; the resolver of OrderStatusChange.order then finds it in the cache.
      ctx.loaders.orderById.clear(orderId);
      if (!(await ctx.loaders.orderById.load(orderId))) return;
      yield {
        orderId,
        previousStatus: (event.payload.previousStatus as OrderStatus | null) ?? null,
        status: event.payload.status as OrderStatus,
        occurredAt: event.occurredAt,
      };
    }
  } finally {
    stop();
  }
}
