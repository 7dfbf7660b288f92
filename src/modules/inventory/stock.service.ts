import type { InventoryLevel, Prisma } from '../../generated/prisma/client';
import { userError, UserErrorsRaised } from '../base/userErrors';
import { toGlobalId } from '../node/globalId';
import { allocateStock, type Allocation, type StockLevel } from './stockAllocation';

/**
 * Stock levels and the stock moves of orders (reserving, releasing, shipping). Every function
 * runs in the caller's transaction, so that a change and its stock move commit together.
 */

/** Units of one product an order asks for. */
export interface StockRequest {
  productId: number;
  quantity: number;
  /** Names the product in an INSUFFICIENT_STOCK message. */
  sku: string;
  /** The input field an INSUFFICIENT_STOCK userError points at. */
  field: Array<string | number>;
}

/** Units of one product to reserve in one warehouse. */
export type StockAllocation = Allocation & { productId: number };

/** What left which warehouse (global ids), as a shipment and the order.fulfilled event record it. */
export interface ShipmentLine {
  productId: string;
  warehouseId: string;
  quantity: number;
}

/**
 * Locks every stock row of the requested products and decides which warehouses serve each
 * request (see allocateStock). Throws one INSUFFICIENT_STOCK userError per short request. The
 * locks last until the caller's transaction ends, so reserveStock can apply the allocations.
 */
export async function allocateReservations(tx: Prisma.TransactionClient, requests: readonly StockRequest[]): Promise<StockAllocation[]> {
  const productIds = requests.map((request) => request.productId);
  // Always in id order, so that concurrent orders queue instead of deadlocking, and no
  // interleaving can oversell.
  const levels = await tx.$queryRaw<Array<StockLevel & { productId: number }>>`
    SELECT "id", "productId", "warehouseId", "onHand", "reserved" FROM "InventoryLevel"
    WHERE "productId" = ANY(${productIds}::int[]) ORDER BY "id" FOR UPDATE`;
  const allocations: StockAllocation[] = [];
  const shortages = requests.flatMap((request) => {
    const result = allocateStock(
      levels.filter((l) => l.productId === request.productId),
      request.quantity,
    );
    if ('missing' in result) {
      return [
        userError(
          'INSUFFICIENT_STOCK',
          `${request.sku} lacks ${result.missing} of the ${request.quantity} units asked for (${result.available} available).`,
          request.field,
        ),
      ];
    }
    allocations.push(...result.allocations.map((a) => ({ ...a, productId: request.productId })));
    return [];
  });
  if (shortages.length) throw new UserErrorsRaised(shortages);
  return allocations;
}

/** Reserves allocated units for an order: one conditional update per stock row, then its reservations. */
export async function reserveStock(tx: Prisma.TransactionClient, orderId: number, allocations: readonly StockAllocation[]): Promise<void> {
  for (const allocation of allocations) {
    // The CHECK constraints (reserved <= onHand) back this up should any path forget the lock.
    const reserved = await tx.$executeRaw`
      UPDATE "InventoryLevel" SET "reserved" = "reserved" + ${allocation.quantity}, "updatedAt" = now()
      WHERE "id" = ${allocation.inventoryLevelId} AND "onHand" - "reserved" >= ${allocation.quantity}`;
    if (reserved !== 1) throw new Error(`stock level ${allocation.inventoryLevelId} changed under its lock`);
  }
  await tx.reservation.createMany({
    data: allocations.map((a) => ({ orderId, productId: a.productId, inventoryLevelId: a.inventoryLevelId, quantity: a.quantity })),
  });
}

/** Gives an order's reserved units back to their warehouses (a cancellation). */
export async function releaseReservations(tx: Prisma.TransactionClient, orderId: number): Promise<void> {
  const reservations = await tx.reservation.findMany({ where: { orderId }, orderBy: { inventoryLevelId: 'asc' } });
  for (const r of reservations) {
    await tx.$executeRaw`UPDATE "InventoryLevel" SET "reserved" = "reserved" - ${r.quantity}, "updatedAt" = now() WHERE "id" = ${r.inventoryLevelId}`;
  }
  await tx.reservation.deleteMany({ where: { orderId } });
}

/**
 * Takes an order's reserved units out of their warehouses (on hand and reserved both drop) and
 * records the shipment; returns its lines.
 */
export async function shipReservations(tx: Prisma.TransactionClient, orderId: number): Promise<ShipmentLine[]> {
  const reservations = await tx.reservation.findMany({
    where: { orderId },
    include: { inventoryLevel: true },
    relationLoadStrategy: 'join',
    orderBy: { inventoryLevelId: 'asc' },
  });
  for (const r of reservations) {
    await tx.$executeRaw`
      UPDATE "InventoryLevel" SET "onHand" = "onHand" - ${r.quantity}, "reserved" = "reserved" - ${r.quantity}, "updatedAt" = now()
      WHERE "id" = ${r.inventoryLevelId}`;
  }
  const lines = reservations.map((r) => ({
    productId: toGlobalId('Product', r.productId),
    warehouseId: toGlobalId('Warehouse', r.inventoryLevel.warehouseId),
    quantity: r.quantity,
  }));
  await tx.shipment.create({ data: { orderId, lines } });
  await tx.reservation.deleteMany({ where: { orderId } });
  return lines;
}

/** Locks a product's stock level in a warehouse; null when that warehouse never held the product. */
export async function lockStockLevel(tx: Prisma.TransactionClient, productId: number, warehouseId: number): Promise<InventoryLevel | null> {
  const [level] = await tx.$queryRaw<InventoryLevel[]>`
    SELECT * FROM "InventoryLevel" WHERE "productId" = ${productId} AND "warehouseId" = ${warehouseId} FOR UPDATE`;
  return level ?? null;
}

/**
 * Creates a product's stock level in a warehouse with `onHand` units. Returns null, instead of
 * failing on the unique (productId, warehouseId), when another transaction created it first:
 * the caller then locks that one (lockStockLevel) and adds to it, so concurrent first
 * deliveries all count.
 */
export async function createStockLevel(tx: Prisma.TransactionClient, productId: number, warehouseId: number, onHand: number): Promise<InventoryLevel | null> {
  const [created] = await tx.$queryRaw<InventoryLevel[]>`
    INSERT INTO "InventoryLevel" ("productId", "warehouseId", "onHand", "updatedAt") VALUES (${productId}, ${warehouseId}, ${onHand}, now())
    ON CONFLICT ("productId", "warehouseId") DO NOTHING
    RETURNING *`;
  return created ?? null;
}
