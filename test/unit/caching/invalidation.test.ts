import { EVERY_ENTRY, INVALIDATED_BY, tagsOfEvents, tagsOfSelection } from '../../../src/caching/invalidation';
import { EVENT_SCHEMA_VERSIONS } from '../../../src/events/outbox';

describe('invalidation by outbox events', () => {
  it('says what every event of the catalogue changes', () => {
    expect(Object.keys(INVALIDATED_BY).sort()).toEqual(Object.keys(EVENT_SCHEMA_VERSIONS).sort());
  });

  it('retires stock when stock moves: adjustments, placements, cancellations, fulfilments', () => {
    for (const type of ['inventory.adjusted', 'order.placed', 'order.cancelled', 'order.fulfilled']) {
      expect(tagsOfEvents([type])).toEqual(expect.arrayContaining(['Product.totalAvailable', 'InventoryLevel.available', 'InventoryLevel.onHand']));
    }
    expect(tagsOfEvents(['order.paid'])).toEqual([]);
  });

  it('retires every entry for an event type it does not know', () => {
    expect(tagsOfEvents(['order.paid', 'catalog.repriced'])).toEqual([EVERY_ENTRY]);
  });

  it('tags an entry with what it selects that events change, and with the tag every entry has', () => {
    expect(tagsOfSelection(new Set(['Query.product', 'Product.sku', 'Product.totalAvailable']))).toEqual([EVERY_ENTRY, 'Product.totalAvailable']);
    expect(tagsOfSelection(new Set(['Query.product', 'Product.sku']))).toEqual([EVERY_ENTRY]);
  });
});
