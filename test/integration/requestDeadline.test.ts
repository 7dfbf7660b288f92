import pg from 'pg';
import { startFreezableProxy, type FreezableProxy } from '../helpers/freezableProxy';
import { createStockedProduct, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, firstError, testDatabaseUrl, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';
import { describeOnPostgreSQL } from '../helpers/conditions';

/**
 * Bounded time everywhere: a request whose database stops answering, or whose row lock never
 * comes, is answered with a coded, retryable error (503 SERVICE_UNAVAILABLE, Retry-After)
 * within its deadline, instead of hanging. The bounds asserted are the deadlines plus a
 * generous margin: correctness (no hang), not speed.
 */
const MARGIN_MS = 3_000;

describe('a database that stops answering', () => {
  const TIMEOUT_MS = 1_000;
  let proxy: FreezableProxy;
  let server: TestServer;
  beforeAll(async () => {
    proxy = await startFreezableProxy(testDatabaseUrl());
    server = await createTestServer({ DATABASE_URL: proxy.url, REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), IDEMPOTENCY_LEASE_MS: '5000' });
    expect((await server.query('{ products(first: 1) { totalCount } }')).status).toBe(200);
    proxy.freeze();
  });
  afterAll(async () => {
    await proxy.close(); // the frozen connections break, so the pool can end
    await server.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After within REQUEST_TIMEOUT_MS', async () => {
    const started = Date.now();
    const result = await server.query('{ orders(first: 5) { edges { node { id customer { name } } } } }');
    const elapsed = Date.now() - started;
    expect(result.status).toBe(503);
    expect(result.headers.get('retry-after')).toBe('1');
    expect(firstError(result).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1, traceId: result.headers.get('x-trace-id') });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('answers a WebSocket operation the same way', async () => {
    const ws = connectWebSocket(server.url, await server.bearer({ roles: ['support'] }));
    try {
      const { result } = await ws.run('{ orders(first: 5) { edges { node { id } } } }');
      expect(result?.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await ws.dispose();
    }
  });
});

// The embedded database has one session: a held lock blocks every other statement, not one row.
describeOnPostgreSQL('a row lock that never comes', () => {
  const LOCK_TIMEOUT_MS = 500;
  let server: TestServer;
  let holder: pg.Client;
  beforeAll(async () => {
    server = await createTestServer({ DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS) });
    holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
  });
  afterAll(async () => {
    await holder.end();
    await server.close();
  });

  it('fails placeOrder with 503 SERVICE_UNAVAILABLE after DATABASE_LOCK_TIMEOUT_MS, and its key runs on the retry', async () => {
    const product = await createStockedProduct(server, { 1: 5 });
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 7, sub: 'customer-7' });
    const variables = { input: { items: [{ productId: product.globalId, quantity: 1 }] } };
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM "InventoryLevel" WHERE "productId" = $1 FOR UPDATE', [product.id]);
    try {
      const started = Date.now();
      const result = await server.queryAs({ ...shopper, 'idempotency-key': 'key-locked' }, PLACE_ORDER, variables);
      const elapsed = Date.now() - started;
      expect(result.status).toBe(503);
      expect(result.headers.get('retry-after')).toBe('1');
      expect(firstError(result)).toMatchObject({ path: ['placeOrder'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
      expect(result.body.data).toEqual({ placeOrder: null }); // a failed mutation field nulls itself, not the whole answer
      expect(elapsed).toBeLessThan(LOCK_TIMEOUT_MS + MARGIN_MS);
    } finally {
      await holder.query('ROLLBACK');
    }
    // Nothing was stored under the key: once the lock is gone the same request runs.
    const retry = await server.queryAs({ ...shopper, 'idempotency-key': 'key-locked' }, PLACE_ORDER, variables);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.data.placeOrder.order.status).toBe('PENDING');
  });

  it('keeps the key of a WebSocket mutation answered at its deadline until its execution ends, then stores what it did', async () => {
    const deadlined = await createTestServer({ REQUEST_TIMEOUT_MS: '1000', IDEMPOTENCY_LEASE_MS: '2000', DATABASE_LOCK_TIMEOUT_MS: '4000' });
    const ws = connectWebSocket(deadlined.url, await deadlined.bearer({ roles: ['admin'], sub: 'late-admin' }));
    try {
      const product = await createStockedProduct(deadlined, { 1: 5 });
      const placed = await deadlined.query(PLACE_ORDER, {
        input: { items: [{ productId: product.globalId, quantity: 1 }], customerId: Buffer.from('Customer:1').toString('base64url') },
      });
      const orderId = placed.body.data.placeOrder.order.id as string;
      const cancel = 'mutation($id: ID!) { cancelOrder(id: $id, reason: "late") { order { id status } userErrors { code } } }';
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM "Order" WHERE "id" = $1 FOR UPDATE', [Number(Buffer.from(orderId, 'base64url').toString().split(':')[1])]);
      const first = ws.run(cancel, { id: orderId }, { idempotencyKey: 'ws-late' });
      const { result } = await first;
      expect(result?.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      // Still running behind the lock, and still holding its key (renewed past its 2 s lease).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await holder.query('COMMIT');
      const retry = await ws.run(cancel, { id: orderId }, { idempotencyKey: 'ws-late' });
      expect(retry.result?.data?.cancelOrder).toEqual({ order: { id: orderId, status: 'CANCELLED' }, userErrors: [] });
      expect(retry.result?.extensions?.idempotentReplayed).toBe(true);
    } finally {
      await ws.dispose();
      await deadlined.close();
    }
  }, 30_000);
});
