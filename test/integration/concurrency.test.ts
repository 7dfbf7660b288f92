import { createStockedProduct, globalId, PLACE_ORDER, TRANSITION } from '../helpers/orders';
import { createTestServer, type TestServer } from '../helpers/testServer';
import { describeOnPostgreSQL } from '../helpers/conditions';

/**
 * Races that only a real PostgreSQL can run: the embedded one is a single session that
 * executes one statement at a time, so nothing there can interleave. On the embedded database
 * these tests are reported as skipped; CI runs them against PostgreSQL.
 */

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ DATABASE_POOL_SIZE: '20' });
});
afterAll(() => server.close());

describeOnPostgreSQL('concurrency (PostgreSQL)', () => {
  it.each([1, 2, 3])('N concurrent orders for S < N units reserve exactly S, never oversell (run %i)', async () => {
    const product = await createStockedProduct(server, { 1: 3, 2: 2 });
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 5 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () => server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } })),
    );
    const payloads = results.map((r) => r.body.data.placeOrder);
    expect(payloads.filter((p) => p.order).length).toBe(5);
    expect(payloads.filter((p) => p.userErrors[0]?.code === 'INSUFFICIENT_STOCK').length).toBe(7);
    const levels = await server.db.prisma.inventoryLevel.findMany({ where: { productId: product.id } });
    expect(levels.reduce((n, l) => n + l.reserved, 0)).toBe(5);
    for (const level of levels) expect(level.reserved).toBeLessThanOrEqual(level.onHand);
    expect(await server.db.prisma.reservation.aggregate({ where: { productId: product.id }, _sum: { quantity: true } })).toEqual({ _sum: { quantity: 5 } });
  });

  it.each([1, 2, 3, 4, 5])('cancel racing fulfil on one PAID order: exactly one wins, stock balances (run %i)', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 5 });
    const placed = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 3 }] } });
    const id = placed.body.data.placeOrder.order.id;
    await server.query(TRANSITION('markOrderPaid'), { id });
    const [cancel, fulfil] = await Promise.all([
      server.query(TRANSITION('cancelOrder'), { id, reason: 'race' }),
      server.query(TRANSITION('fulfillOrder'), { id }),
    ]);
    const winners = [cancel.body.data.cancelOrder, fulfil.body.data.fulfillOrder].filter((p) => p.userErrors.length === 0);
    expect(winners).toHaveLength(1);
    const loser = [cancel.body.data.cancelOrder, fulfil.body.data.fulfillOrder].find((p) => p.userErrors.length > 0);
    expect(loser.userErrors[0].code).toBe('INVALID_TRANSITION');
    const [level] = await server.db.prisma.inventoryLevel.findMany({ where: { productId: product.id } });
    expect(level!.reserved).toBe(0);
    expect(level!.onHand).toBe(winners[0].order.status === 'FULFILLED' ? 7 : 10);
  });

  it('concurrent first adjustments of a product in a warehouse all succeed: the stock level is created once', async () => {
    const product = await createStockedProduct(server, { 1: 5 });
    const staff = await server.bearer({ roles: ['inventory_manager'], sub: 'warehouse-race' });
    const deltas = Array.from({ length: 10 }, (_, i) => i + 1);
    const results = await Promise.all(
      deltas.map((delta) =>
        server.queryAs(
          staff,
          `mutation($p: ID!, $w: ID!, $d: Int!) { adjustInventory(productId: $p, warehouseId: $w, delta: $d, reason: "delivery") { inventoryLevel { id } userErrors { code } } }`,
          { p: product.globalId, w: globalId('Warehouse', 2), d: delta },
        ),
      ),
    );
    for (const result of results) {
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data.adjustInventory.userErrors).toEqual([]);
    }
    expect(new Set(results.map((r) => r.body.data.adjustInventory.inventoryLevel.id)).size).toBe(1);
    const [level] = await server.db.prisma.inventoryLevel.findMany({ where: { productId: product.id, warehouseId: 2 } });
    expect(level).toMatchObject({ onHand: 55, reserved: 0 });
    const audit = await server.db.prisma.inventoryAdjustment.findMany({ where: { inventoryLevelId: level!.id } });
    expect(audit.map((a) => a.delta).sort((a, b) => a - b)).toEqual(deltas);
  });
});
