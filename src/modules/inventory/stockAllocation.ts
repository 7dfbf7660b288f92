/** A product's stock in one warehouse, as locked for an allocation. */
export interface StockLevel {
  id: number;
  warehouseId: number;
  onHand: number;
  reserved: number;
}

export interface Allocation {
  inventoryLevelId: number;
  warehouseId: number;
  quantity: number;
}

/**
 * Where to reserve `quantity` units: the warehouse with the most available units first (ties:
 * lowest warehouse id), splitting across warehouses when one does not hold enough. Returns the
 * allocations, or how many units are missing. Pure: the caller holds the rows' locks.
 */
export function allocateStock(levels: readonly StockLevel[], quantity: number): { allocations: Allocation[] } | { missing: number; available: number } {
  const byAvailability = levels
    .map((level) => ({ level, available: level.onHand - level.reserved }))
    .filter(({ available }) => available > 0)
    .sort((a, b) => b.available - a.available || a.level.warehouseId - b.level.warehouseId);
  const available = byAvailability.reduce((sum, { available }) => sum + available, 0);
  if (available < quantity) return { missing: quantity - available, available };
  const allocations: Allocation[] = [];
  let remaining = quantity;
  for (const { level, available: here } of byAvailability) {
    if (remaining === 0) break;
    const take = Math.min(here, remaining);
    allocations.push({ inventoryLevelId: level.id, warehouseId: level.warehouseId, quantity: take });
    remaining -= take;
  }
  return { allocations };
}
