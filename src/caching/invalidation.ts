import type { EventType } from '../events/outbox';

/** Every entry carries this tag: an event the map below does not know retires them all. */
export const EVERY_ENTRY = '*';

/** What stock changes: on hand, reserved and available units, and the levels a product has. */
const STOCK = [
  'InventoryLevel.onHand',
  'InventoryLevel.reserved',
  'InventoryLevel.available',
  'Product.totalAvailable',
  'Product.inventory',
  'Warehouse.inventory',
] as const;

/**
 * Which field coordinates each outbox event changes: a cached response selecting one of them
 * is retired when the event commits. Orders and customers are never cached (PRIVATE, maxAge 0
 * in the SDL), so only what they do to stock matters here. A new event type must be added here
 * (test/unit/caching/invalidation.test.ts holds the catalogue to it).
 */
export const INVALIDATED_BY: Readonly<Record<EventType, readonly string[]>> = {
  'inventory.adjusted': STOCK,
  'order.placed': STOCK, // reserves
  'order.cancelled': STOCK, // releases what was reserved
  'order.fulfilled': STOCK, // consumes it
  'order.paid': [],
  'inventory.low': [], // recorded with the adjustment or order that caused it
};

/** Coordinates some event can change: the tags an entry takes from its selection. */
export const INVALIDATABLE: ReadonlySet<string> = new Set(Object.values(INVALIDATED_BY).flat());

/** The tags events of these types retire (every entry, for a type this gateway does not know). */
export function tagsOfEvents(types: Iterable<string>): string[] {
  const tags = new Set<string>();
  for (const type of types) {
    const changed = (INVALIDATED_BY as Record<string, readonly string[] | undefined>)[type];
    if (!changed) return [EVERY_ENTRY];
    for (const coordinate of changed) tags.add(coordinate);
  }
  return [...tags];
}

/** The tags of an entry selecting these coordinates. */
export function tagsOfSelection(coordinates: ReadonlySet<string>): string[] {
  return [EVERY_ENTRY, ...[...coordinates].filter((coordinate) => INVALIDATABLE.has(coordinate)).sort()];
}
