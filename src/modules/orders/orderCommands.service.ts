import { isOrderVisible, visibleOrdersSql } from '../../auth/rowScope';
import type { GraphQLContext } from '../../context/GraphQLContext';
import { withWorkRecorded } from '../../db/databaseWork';
import { recordEvent } from '../../events/outbox';
import type { Order, OrderStatus, Prisma } from '../../generated/prisma/client';
import type { PlaceOrderInput } from '../../generated/graphql';
import { userError, UserErrorsRaised, withUserErrors } from '../base/userErrors';
import { recordLowStock } from '../inventory/lowStock';
import { allocateReservations, releaseReservations, reserveStock, shipReservations } from '../inventory/stock.service';
import { fromGlobalIdOf, toGlobalId } from '../node/globalId';
import { runIdempotently, type RecordEffect } from '../../idempotency/idempotentEffects';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1_000;

/**
 * placeOrder: validate, price from the catalogue, reserve stock and create the order in one
 * transaction. Under an idempotency key the transaction also records the order it created, so
 * that a retry after a crash answers with that order instead of placing another.
 */
export function placeOrder(ctx: GraphQLContext, input: PlaceOrderInput, fieldKey: string) {
  return withUserErrors(() =>
    runIdempotently(ctx, fieldKey, 'Order', {
      recover: async (orderId) => ({ order: await ctx.loaders.orderById.load(orderId) }),
      act: (recordEffect) => createOrder(ctx, input, recordEffect),
    }),
  );
}

async function createOrder(ctx: GraphQLContext, input: PlaceOrderInput, recordEffect: RecordEffect) {
  const lines = validateLines(input);
  const customerId = await orderingCustomer(ctx, input);
  const order = await withWorkRecorded(ctx.prisma, ctx.work).$transaction(async (tx) => {
    const productIds = lines.map((line) => line.productId);
    const products = new Map((await tx.product.findMany({ where: { id: { in: productIds } } })).map((p) => [p.id, p]));
    const errors = lines.flatMap((line) => {
      const product = products.get(line.productId);
      const field = ['input', 'items', line.index, 'productId'];
      if (!product) return [userError('PRODUCT_NOT_FOUND', `No product has the id ${line.globalId}.`, field)];
      if (!product.active) return [userError('PRODUCT_INACTIVE', `${product.sku} cannot be ordered: it is not active.`, field)];
      return [];
    });
    if (errors.length) throw new UserErrorsRaised(errors);
    const currencies = new Set([...products.values()].map((p) => p.currency));
    if (currencies.size > 1) {
      throw new UserErrorsRaised([
        userError('CURRENCY_MISMATCH', `The products are priced in ${[...currencies].join(' and ')}: place one order per currency.`, ['input', 'items']),
      ]);
    }

    const allocations = await allocateReservations(
      tx,
      lines.map((line) => ({
        productId: line.productId,
        quantity: line.quantity,
        sku: products.get(line.productId)!.sku,
        field: ['input', 'items', line.index, 'quantity'],
      })),
    );

    const currency = [...currencies][0]!;
    const totalCents = lines.reduce((sum, line) => sum + line.quantity * products.get(line.productId)!.priceCents, 0);
    // One statement per operation (no nested writes), so that the request's reported
    // database work is exact.
    const created = await tx.order.create({ data: { customerId, currency, totalCents } });
    await tx.orderItem.createMany({
      data: lines.map((line) => ({
        orderId: created.id,
        productId: line.productId,
        quantity: line.quantity,
        unitPriceCents: products.get(line.productId)!.priceCents,
      })),
    });
    await reserveStock(tx, created.id, allocations);
    await recordEvent(tx, 'order.placed', {
      orderId: toGlobalId('Order', created.id),
      customerId: toGlobalId('Customer', customerId),
      previousStatus: null,
      status: created.status,
      total: { amount: totalCents, currency },
      items: lines.map((line) => ({ productId: line.globalId, quantity: line.quantity, unitPrice: products.get(line.productId)!.priceCents })),
    });
    await recordLowStock(
      tx,
      allocations.map((a) => a.inventoryLevelId),
      ctx.lowStockThreshold,
    );
    await recordEffect(tx, created.id);
    return created;
  });
  if (isOrderVisible(ctx.rowScope, order)) ctx.loaders.orderById.prime(order.id, order);
  return { order };
}

interface ValidLine {
  index: number;
  globalId: string;
  productId: number;
  quantity: number;
}

function validateLines(input: PlaceOrderInput): ValidLine[] {
  const errors = [];
  if (input.items.length === 0 || input.items.length > MAX_ORDER_LINES) {
    errors.push(userError('INVALID_INPUT', `An order has 1 to ${MAX_ORDER_LINES} lines; this one has ${input.items.length}.`, ['input', 'items']));
  }
  const seen = new Set<number>();
  const lines = input.items.map((item, index) => {
    const productId = fromGlobalIdOf('Product', item.productId, `input.items[${index}].productId`);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_LINE_QUANTITY) {
      errors.push(
        userError('INVALID_INPUT', `A quantity is 1 to ${MAX_LINE_QUANTITY}; line ${index + 1} asks for ${item.quantity}.`, [
          'input',
          'items',
          index,
          'quantity',
        ]),
      );
    }
    if (seen.has(productId)) {
      errors.push(userError('INVALID_INPUT', `Line ${index + 1} repeats a product: give each product one line.`, ['input', 'items', index, 'productId']));
    }
    seen.add(productId);
    return { index, globalId: item.productId, productId, quantity: item.quantity };
  });
  if (errors.length) throw new UserErrorsRaised(errors);
  return lines;
}

/** A shopper orders for themselves; staff name the customer. */
async function orderingCustomer(ctx: GraphQLContext, input: PlaceOrderInput): Promise<number> {
  if (ctx.viewer?.customerId) return ctx.viewer.customerId;
  if (!input.customerId) {
    throw new UserErrorsRaised([userError('INVALID_INPUT', 'Name the customer the order is for (input.customerId).', ['input', 'customerId'])]);
  }
  const customerId = fromGlobalIdOf('Customer', input.customerId, 'input.customerId');
  if (!(await ctx.prisma.customer.findUnique({ where: { id: customerId }, select: { id: true } }))) {
    throw new UserErrorsRaised([userError('CUSTOMER_NOT_FOUND', `No customer has the id ${input.customerId}.`, ['input', 'customerId'])]);
  }
  return customerId;
}

type Transition = {
  verb: string;
  from: readonly OrderStatus[];
  to: OrderStatus;
  /** The transition's effect on stock, in the same transaction; returns event details. */
  apply: (tx: Prisma.TransactionClient, order: Order) => Promise<Record<string, unknown>>;
};

const TRANSITIONS = {
  cancel: {
    verb: 'cancel',
    from: ['PENDING', 'PAID'],
    to: 'CANCELLED',
    apply: async (tx, order) => {
      await releaseReservations(tx, order.id);
      return {};
    },
  },
  pay: { verb: 'mark as paid', from: ['PENDING'], to: 'PAID', apply: async () => ({}) },
  fulfil: { verb: 'fulfil', from: ['PAID'], to: 'FULFILLED', apply: async (tx, order) => ({ shipment: { lines: await shipReservations(tx, order.id) } }) },
} as const satisfies Record<string, Transition>;

const EVENT_OF = { cancel: 'order.cancelled', pay: 'order.paid', fulfil: 'order.fulfilled' } as const;

/**
 * Moves an order along PENDING -> PAID -> FULFILLED, or PENDING | PAID -> CANCELLED. The order
 * row is locked first, so of concurrent transitions exactly one sees the status it needs.
 */
export function transitionOrder(ctx: GraphQLContext, globalId: string, name: keyof typeof TRANSITIONS, fieldKey: string, options: { reason?: string } = {}) {
  return withUserErrors(() =>
    runIdempotently(ctx, fieldKey, 'Order', {
      recover: async (orderId) => ({ order: await ctx.loaders.orderById.load(orderId) }),
      act: (recordEffect) => applyTransition(ctx, globalId, name, recordEffect, options),
    }),
  );
}

async function applyTransition(
  ctx: GraphQLContext,
  globalId: string,
  name: keyof typeof TRANSITIONS,
  recordEffect: RecordEffect,
  options: { reason?: string },
) {
  const transition: Transition = TRANSITIONS[name];
  const id = fromGlobalIdOf('Order', globalId);
  if (options.reason !== undefined && (options.reason.trim().length === 0 || options.reason.length > 500)) {
    throw new UserErrorsRaised([userError('INVALID_INPUT', 'A reason is 1 to 500 characters.', ['reason'])]);
  }
  const order = await withWorkRecorded(ctx.prisma, ctx.work).$transaction(async (tx) => {
    // Only an order the viewer may see can be acted on: any other is ORDER_NOT_FOUND, as an id of no order.
    const [current] = await tx.$queryRaw<Order[]>`
      SELECT * FROM "Order" o WHERE o."id" = ${id} ${visibleOrdersSql(ctx.rowScope, 'o')}
      FOR UPDATE`;
    if (!current) throw new UserErrorsRaised([userError('ORDER_NOT_FOUND', 'No order has this id, or you may not see it.', ['id'])]);
    if (!transition.from.includes(current.status)) {
      throw new UserErrorsRaised([
        userError('INVALID_TRANSITION', `The order is ${current.status}; to ${transition.verb} it, it must be ${transition.from.join(' or ')}.`, ['id']),
      ]);
    }
    const updated = await tx.order.update({
      where: { id },
      data: { status: transition.to, ...(options.reason !== undefined ? { cancelReason: options.reason } : {}) },
    });
    const details = await transition.apply(tx, current);
    await recordEvent(tx, EVENT_OF[name], {
      orderId: toGlobalId('Order', id),
      customerId: toGlobalId('Customer', current.customerId),
      previousStatus: current.status,
      status: updated.status,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      ...details,
    });
    await recordEffect(tx, id);
    return updated;
  });
  // The new status can take the order out of the viewer's scope (a cancellation, for warehouse staff).
  ctx.loaders.orderById.clear(order.id);
  if (isOrderVisible(ctx.rowScope, order)) ctx.loaders.orderById.prime(order.id, order);
  return { order };
}
