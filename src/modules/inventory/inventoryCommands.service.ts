import type { GraphQLContext } from '../../context/GraphQLContext';
import { withWorkRecorded } from '../../db/databaseWork';
import type { InventoryLevel } from '../../generated/prisma/client';
import { userError, UserErrorsRaised, withUserErrors } from '../base/userErrors';
import { fromGlobalIdOf, toGlobalId } from '../node/globalId';
import { recordEvent } from '../../events/outbox';
import { recordLowStock } from './lowStock';
import { createStockLevel, lockStockLevel } from './stock.service';
import { runIdempotently, type RecordEffect } from '../../idempotency/idempotentEffects';

const MAX_DELTA = 1_000_000;

type AdjustmentArgs = { productId: string; warehouseId: string; delta: number; reason: string };

/**
 * adjustInventory: change units on hand, audited, never below what is reserved. Under an
 * idempotency key the transaction records the stock level it changed, so that a retry after a
 * crash answers with it instead of adjusting twice.
 */
export function adjustInventory(ctx: GraphQLContext, args: AdjustmentArgs, fieldKey: string) {
  return withUserErrors(() =>
    runIdempotently(ctx, fieldKey, 'InventoryLevel', {
      recover: async (levelId) => ({ inventoryLevel: await ctx.loaders.inventoryLevelById.load(levelId) }),
      act: (recordEffect) => applyAdjustment(ctx, args, recordEffect),
    }),
  );
}

async function applyAdjustment(ctx: GraphQLContext, args: AdjustmentArgs, recordEffect: RecordEffect) {
  const productId = fromGlobalIdOf('Product', args.productId, 'productId');
  const warehouseId = fromGlobalIdOf('Warehouse', args.warehouseId, 'warehouseId');
  const errors = [];
  if (args.delta === 0 || Math.abs(args.delta) > MAX_DELTA)
    errors.push(userError('INVALID_INPUT', `delta is a non-zero number of units up to ${MAX_DELTA} either way.`, ['delta']));
  if (args.reason.trim().length === 0 || args.reason.length > 500) errors.push(userError('INVALID_INPUT', 'A reason is 1 to 500 characters.', ['reason']));
  if (errors.length) throw new UserErrorsRaised(errors);

  const inventoryLevel = await withWorkRecorded(ctx.prisma, ctx.work).$transaction(async (tx) => {
    const level = await lockStockLevel(tx, productId, warehouseId);
    let updated: InventoryLevel | null = null;
    if (!level) {
      const [product, warehouse] = await Promise.all([
        tx.product.findUnique({ where: { id: productId }, select: { id: true } }),
        tx.warehouse.findUnique({ where: { id: warehouseId }, select: { id: true } }),
      ]);
      if (!product || !warehouse)
        throw new UserErrorsRaised([
          userError('INVENTORY_NOT_FOUND', `No ${product ? 'warehouse' : 'product'} has this id.`, [product ? 'warehouseId' : 'productId']),
        ]);
      if (args.delta < 0)
        throw new UserErrorsRaised([userError('STOCK_BELOW_RESERVED', 'The warehouse holds none of this product: nothing to remove.', ['delta'])]);
      updated = await createStockLevel(tx, productId, warehouseId, args.delta);
    }
    if (!updated) {
      // The level existed, or a concurrent first delivery created it after the lookup above
      // (createStockLevel found it there): that row is committed and never deleted, so it
      // can be locked now.
      const current = level ?? (await lockStockLevel(tx, productId, warehouseId))!;
      if (current.onHand + args.delta < current.reserved) {
        throw new UserErrorsRaised([
          userError(
            'STOCK_BELOW_RESERVED',
            `${current.onHand} on hand with ${current.reserved} reserved: at most ${current.onHand - current.reserved} units can be removed.`,
            ['delta'],
          ),
        ]);
      }
      updated = await tx.inventoryLevel.update({ where: { id: current.id }, data: { onHand: { increment: args.delta } } });
    }
    await tx.inventoryAdjustment.create({
      data: { inventoryLevelId: updated.id, delta: args.delta, reason: args.reason.trim(), actor: ctx.viewer?.id ?? 'anonymous' },
    });
    await recordEvent(tx, 'inventory.adjusted', {
      inventoryLevelId: toGlobalId('InventoryLevel', updated.id),
      productId: toGlobalId('Product', productId),
      warehouseId: toGlobalId('Warehouse', warehouseId),
      delta: args.delta,
      onHand: updated.onHand,
      reserved: updated.reserved,
    });
    if (args.delta < 0) await recordLowStock(tx, [updated.id], ctx.lowStockThreshold);
    await recordEffect(tx, updated.id);
    return updated;
  });
  ctx.loaders.inventoryLevelById.clear(inventoryLevel.id).prime(inventoryLevel.id, inventoryLevel);
  return { inventoryLevel };
}
