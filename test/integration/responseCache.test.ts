import { createStockedProduct, globalId, PLACE_ORDER, TRANSITION } from '../helpers/orders';
import { describeOnPostgreSQL } from '../helpers/conditions';
import { createTestServer, testDatabaseUrl, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';

const STOCK = 'query Stock($sku: String) { product(sku: $sku) { sku totalAvailable } }';
const ADJUST = /* GraphQL */ `
  mutation Adjust($productId: ID!, $delta: Int!) {
    adjustInventory(productId: $productId, warehouseId: "${globalId('Warehouse', 1)}", delta: $delta, reason: "count") {
      userErrors { code }
    }
  }
`;

/** Both stores: in-process always; Redis when REDIS_URL is set (CI's PostgreSQL pass), under a prefix of the run's own. */
const stores: Array<[string, Record<string, string>]> = [['in-process', {}]];
if (process.env.REDIS_URL) {
  stores.push(['Redis', { REDIS_URL: process.env.REDIS_URL, RESPONSE_CACHE_REDIS_PREFIX: `test:cache:${process.pid}:${Date.now()}:` }]);
}

describe.each(stores)('the response cache (%s)', (_name, env) => {
  let server: TestServer;
  let staff: Record<string, string>;
  beforeAll(async () => {
    server = await createTestServer(env);
    staff = await server.bearer({ roles: ['inventory_manager'], sub: 'kim' });
  });
  afterAll(() => server.close());

  const stock = (sku: string) => server.queryAs(null, STOCK, { sku });

  it('answers a repeated public query from the cache, without SQL, and says so in extensions.cacheStatus', async () => {
    const product = await createStockedProduct(server, { 1: 7 });
    const miss = await stock(product.sku);
    expect(miss.body.extensions.cacheStatus).toBe('miss');
    expect(miss.body.extensions.cost.database.statements).toBeGreaterThan(0);
    const { result: hit, statements } = await server.countStatements(() => stock(product.sku));
    expect(hit.body).toMatchObject({ data: { product: { sku: product.sku, totalAvailable: 7 } }, extensions: { cacheStatus: 'hit' } });
    expect(hit.body.extensions.cost.database.statements).toBe(0);
    expect(statements).toBe(0);
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(0);
  });

  it('keys entries by variables, and by visibility class: a viewer without the scope is never served scoped data', async () => {
    const [a, b] = [await createStockedProduct(server, { 1: 1 }), await createStockedProduct(server, { 1: 2 })];
    await stock(a.sku);
    expect((await stock(b.sku)).body).toMatchObject({ data: { product: { totalAvailable: 2 } }, extensions: { cacheStatus: 'miss' } });
    const levels = `{ product(sku: "${a.sku}") { inventory { onHand } } }`;
    expect((await server.queryAs(staff, levels)).body.extensions.cacheStatus).toBe('miss');
    expect((await server.queryAs(staff, levels)).body).toMatchObject({ data: { product: { inventory: [{ onHand: 1 }] } }, extensions: { cacheStatus: 'hit' } });
    const anonymous = await server.queryAs(null, levels);
    expect(anonymous.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body.extensions.cacheStatus).toBe('bypass');
    expect(anonymous.body.data.product.inventory).toBeNull();
  });

  it('never serves stock from before an adjustInventory, placeOrder or cancelOrder that has committed', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const read = async () => (await stock(product.sku)).body.data.product.totalAvailable;
    expect(await read()).toBe(10);
    expect(await read()).toBe(10); // now cached

    await server.queryAs(staff, ADJUST, { productId: product.globalId, delta: 5 });
    expect(await read()).toBe(15);

    const shopper = await server.bearer({ roles: ['customer'], customer_id: 4 });
    const placed = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 3 }] } });
    expect(placed.body.data.placeOrder.userErrors).toEqual([]);
    expect(await read()).toBe(12);
    expect(await read()).toBe(12);

    const cancelled = await server.queryAs(shopper, TRANSITION('cancelOrder'), { id: placed.body.data.placeOrder.order.id, reason: 'changed my mind' });
    expect(cancelled.body.data.cancelOrder.userErrors).toEqual([]);
    expect(await read()).toBe(15);
  });

  // Readers and writers side by side: the embedded database serves one connection at a time.
  describeOnPostgreSQL('under concurrent reads and writes', () => {
    it('never stores a read that began before a change committed as current, whatever the interleaving', async () => {
      const product = await createStockedProduct(server, { 1: 100 });
      let committed = 100;
      let stop = false;
      const stale: number[] = [];
      // Readers hammer the entry while adjustments commit: every read that starts after an
      // adjustment's response must see at least that adjustment.
      const reader = async () => {
        while (!stop) {
          const floor = committed;
          const { body } = await stock(product.sku);
          if (!body.data?.product) throw new Error(JSON.stringify(body));
          const seen = body.data.product.totalAvailable as number;
          if (seen < floor) stale.push(seen);
        }
      };
      const readers = [reader(), reader(), reader()];
      for (let i = 1; i <= 8; i += 1) {
        await server.queryAs(staff, ADJUST, { productId: product.globalId, delta: 1 });
        committed = 100 + i;
      }
      stop = true;
      await Promise.all(readers);
      expect(stale).toEqual([]);
      expect((await stock(product.sku)).body.data.product.totalAvailable).toBe(108);
    });
  });

  it('serves WebSocket queries from the same entries, and invalidates them the same way', async () => {
    const product = await createStockedProduct(server, { 1: 6 });
    const socket = connectWebSocket(server.url, null);
    try {
      expect((await socket.run(STOCK, { sku: product.sku })).result?.extensions?.cacheStatus).toBe('miss');
      expect((await stock(product.sku)).body.extensions.cacheStatus).toBe('hit');
      expect((await socket.run(STOCK, { sku: product.sku })).result).toMatchObject({
        data: { product: { totalAvailable: 6 } },
        extensions: { cacheStatus: 'hit', cost: { database: { statements: 0 } } },
      });
      const ws = connectWebSocket(server.url, staff);
      await ws.run(ADJUST, { productId: product.globalId, delta: -1 });
      await ws.dispose();
      expect((await socket.run(STOCK, { sku: product.sku })).result).toMatchObject({
        data: { product: { totalAvailable: 5 } },
        extensions: { cacheStatus: 'miss' },
      });
    } finally {
      await socket.dispose();
    }
  });

  it('does not store responses with errors', async () => {
    const query = '{ product(id: "not-a-global-id") { sku } }';
    const first = await server.queryAs(null, query);
    expect(first.body.errors?.length).toBeGreaterThan(0);
    expect((await server.queryAs(null, query)).body.extensions.cacheStatus).toBe('miss');
  });
});

// Replicas share a PostgreSQL server (DATABASE_URL): the embedded database has one gateway.
describeOnPostgreSQL('replicas with in-process caches', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { DATABASE_URL: testDatabaseUrl() };
    [a, b] = await Promise.all([createTestServer(env), createTestServer(env)]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('retire their entries when another replica commits a stock change, through the outbox', async () => {
    const product = await createStockedProduct(a, { 1: 3 });
    const readOn = async (server: TestServer) => (await server.queryAs(null, STOCK, { sku: product.sku })).body;
    await readOn(b);
    expect(await readOn(b)).toMatchObject({ data: { product: { totalAvailable: 3 } }, extensions: { cacheStatus: 'hit' } });
    const staff = await a.bearer({ roles: ['inventory_manager'] });
    await a.queryAs(staff, ADJUST, { productId: product.globalId, delta: 2 });
    // The event feed polls the outbox every 250 ms.
    const deadline = Date.now() + 5_000;
    let seen = 3;
    while (seen !== 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = (await readOn(b)).data.product.totalAvailable;
    }
    expect(seen).toBe(5);
    const metrics = await b.server.metrics!.registry.getSingleMetricAsString('gateway_response_cache_invalidations_total');
    expect(metrics).toMatch(/source="event"} [1-9]/);
  });
});
