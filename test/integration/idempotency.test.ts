import { createStockedProduct, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ DATABASE_POOL_SIZE: '20' });
});
afterAll(() => server.close());

const ordersOf = (productId: number) => server.db.prisma.orderItem.count({ where: { productId } });
const shopper = (customerId: number) => server.bearer({ roles: ['customer'], customer_id: customerId, sub: `customer-${customerId}` });
const place = (as: Record<string, string>, key: string, productId: string, quantity = 1) =>
  server.queryAs({ ...as, 'idempotency-key': key }, PLACE_ORDER, { input: { items: [{ productId, quantity }] } });

describe('idempotency keys', () => {
  it('replays the first outcome of a retried request, with no second side effect', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await shopper(7);
    const first = await place(as, 'key-replay', product.globalId);
    const retry = await place(as, 'key-replay', product.globalId);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.data).toEqual(first.body.data);
    expect(await ordersOf(product.id)).toBe(1);
  });

  it('treats the same variables written in another key order as the same request', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await shopper(7);
    await place(as, 'key-order', product.globalId, 2);
    const reordered = await server.queryAs({ ...as, 'idempotency-key': 'key-order' }, PLACE_ORDER, { input: { items: [{ quantity: 2, productId: product.globalId }] } });
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses the same key for a different request with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await shopper(7);
    await place(as, 'key-reused', product.globalId, 1);
    const other = await place(as, 'key-reused', product.globalId, 2);
    expect(other.status).toBe(422);
    expect(firstError(other).extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersOf(product.id)).toBe(1);
  });

  it('runs M concurrent retries of one key once; the others wait for and replay its outcome', async () => {
    const product = await createStockedProduct(server, { 1: 100 });
    const as = await shopper(7);
    const results = await Promise.all(Array.from({ length: 8 }, () => place(as, 'key-concurrent', product.globalId)));
    expect(await ordersOf(product.id)).toBe(1);
    const ids = new Set(results.map((r) => r.body.data.placeOrder.order.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
  });

  it('keeps keys per client: two clients may use the same key', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    await place(await shopper(7), 'shared-key', product.globalId);
    const second = await place(await shopper(8), 'shared-key', product.globalId);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(await ordersOf(product.id)).toBe(2);
  });

  it('forgets a key once it expires (IDEMPOTENCY_TTL_HOURS)', async () => {
    // A server of its own with a one-second lifetime, so no other test's key can expire.
    const shortLived = await createTestServer({ IDEMPOTENCY_TTL_HOURS: String(1 / 3600) });
    try {
      const product = await createStockedProduct(shortLived, { 1: 10 });
      const as = await shortLived.bearer({ roles: ['customer'], customer_id: 7, sub: 'customer-7' });
      const placeOnce = () => shortLived.queryAs({ ...as, 'idempotency-key': 'key-expiring' }, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } });
      await placeOnce();
      expect((await placeOnce()).headers.get('idempotent-replayed')).toBe('true');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const later = await placeOnce();
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect(await ordersOf(product.id)).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it('ignores the header on queries, and rejects a malformed key', async () => {
    const query = await server.query('{ products(first: 1) { totalCount } }', undefined, { 'idempotency-key': 'k' });
    expect(query.body.errors).toBeUndefined();
    const product = await createStockedProduct(server, { 1: 10 });
    const bad = await place(await shopper(7), 'x'.repeat(300), product.globalId);
    expect(firstError(bad).extensions.code).toBe('BAD_USER_INPUT');
    expect(await ordersOf(product.id)).toBe(0);
  });
});
