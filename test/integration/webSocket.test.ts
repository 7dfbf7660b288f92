import { createApiKey, revokeApiKey } from '../../src/auth/apiKeys';
import { createStockedProduct, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, type TestServer } from '../helpers/testServer';
import { signToken } from '../helpers/tokens';
import { connectWebSocket, requestUpgrade, type WebSocketClient } from '../helpers/webSocketClients';

/**
 * graphql-ws at /graphql runs queries, mutations and subscriptions through the same policy
 * pipeline as HTTP: the same limits, cost, rate limit and idempotency, and credentials that
 * are checked for every operation, not only at connect.
 */
let server: TestServer;
const clients: WebSocketClient[] = [];
const connect = (params: Record<string, string> | null, on = server) => {
  const ws = connectWebSocket(on.url, params);
  clients.push(ws);
  return ws;
};
const authorization = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  server = await createTestServer({
    MAX_COST: '500',
    MAX_DOCUMENT_BYTES: '2000',
    MAX_VARIABLES_DEPTH: '8',
    RATE_LIMIT: 'on',
    RATE_LIMIT_TIERS: JSON.stringify({ user: { bucketSize: 1_000, restoreRate: 1 }, standard: { bucketSize: 30, restoreRate: 1 } }),
    JWT_CLOCK_TOLERANCE_S: '0',
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server.close();
});

describe('policies over WebSocket', () => {
  it('runs a query with the cost, database work and throttle status in extensions', async () => {
    const ws = connect(authorization(await signToken({ roles: ['support'] })));
    const { result } = await ws.run('{ orders(first: 2) { edges { node { id } } } }');
    expect(result?.data.orders.edges).toHaveLength(2);
    expect(result?.extensions?.cost).toMatchObject({
      requestedQueryCost: 5,
      maximumQueryCost: 500,
      database: { statements: 1 },
      throttleStatus: { maximumAvailable: 1_000 },
    });
  });

  it('refuses an operation above MAX_COST with QUERY_TOO_COMPLEX, before any SQL', async () => {
    const ws = connect(authorization(await signToken({ roles: ['support'] })));
    const statementsBefore = server.db.stats.statements;
    const { errors } = await ws.run('{ orders(first: 100) { edges { node { items { product { sku } } } } } }');
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 1201, maximumCost: 500, traceId: expect.any(String) });
    expect(server.db.stats.statements).toBe(statementsBefore);
  });

  it("rate-limits by the client's bucket, as over HTTP", async () => {
    const { key } = await createApiKey(server.db.prisma, { clientName: 'ws-bff', scopes: ['orders:read'], rateTier: 'standard' });
    const ws = connect({ 'x-api-key': key });
    const query = '{ orders(first: 10) { edges { node { id } } } }'; // 21 points of a 30-point bucket
    expect((await ws.run(query)).result?.data).toBeDefined();
    const { errors } = await ws.run('{ orders(first: 12) { edges { node { id } } } }');
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 25 });
  });

  it('refuses a document over MAX_DOCUMENT_BYTES and variables nested deeper than MAX_VARIABLES_DEPTH', async () => {
    const ws = connect(null);
    const large = await ws.run(`{ products(first: 1) { totalCount } } # ${'x'.repeat(3_000)}`);
    expect(large.errors?.[0]?.extensions).toMatchObject({ code: 'DOCUMENT_TOO_LARGE' });
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = { nested: deep };
    const nested = await ws.run('query($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }', { f: deep as Record<string, unknown> });
    expect(nested.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(nested.errors?.[0]?.message).toMatch(/deeper than 8 levels/);
  });

  it('closes a connection whose message is larger than MAX_BODY_BYTES', async () => {
    const ws = connect(null);
    void ws.run(`{ products(first: 1) { totalCount } } # ${'x'.repeat(1_100_000)}`);
    expect((await ws.closed).code).toBe(1009); // message too big
  });

  it('makes a mutation idempotent with extensions.idempotencyKey: the retry replays the first order', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const ws = connect(authorization(await signToken({ roles: ['customer'], customer_id: 7, sub: 'customer-7' })));
    const input = { items: [{ productId: product.globalId, quantity: 1 }] };
    const first = await ws.run(PLACE_ORDER, { input }, { idempotencyKey: 'ws-key-1' });
    const retry = await ws.run(PLACE_ORDER, { input }, { idempotencyKey: 'ws-key-1' });
    expect(retry.result?.data).toEqual(first.result?.data);
    expect(retry.result?.extensions?.idempotentReplayed).toBe(true);
    expect(await server.db.prisma.orderItem.count({ where: { productId: product.id } })).toBe(1);
    const malformed = await ws.run(PLACE_ORDER, { input }, { idempotencyKey: 'has a space' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('credentials over WebSocket', () => {
  it('refuses the next operation of a revoked API key and closes the connection with 4403', async () => {
    const { key, record } = await createApiKey(server.db.prisma, { clientName: 'revoked-bff', scopes: ['orders:read'], rateTier: 'premium' });
    const ws = connect({ 'x-api-key': key });
    expect((await ws.run('{ orders(first: 1) { totalCount } }')).result?.data.orders.totalCount).toBeGreaterThan(0);
    await revokeApiKey(server.db.prisma, record.prefix);
    const { errors } = await ws.run('{ orders(first: 1) { totalCount } }');
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await ws.closed).toEqual({ code: 4403, reason: 'Forbidden: Invalid credentials: unknown or revoked API key.' });
  });

  it('closes the connection, ending its subscriptions, when the token expires', async () => {
    const token = await signToken({ roles: ['support'] }, { expiresIn: '2s' });
    const ws = connect(authorization(token));
    const ended = new Promise<unknown>((resolve) => {
      ws.client.subscribe(
        { query: 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }', variables: { id: Buffer.from('Order:1').toString('base64url') } },
        { next: () => undefined, error: resolve, complete: () => resolve('completed') },
      );
    });
    const { code, reason } = await ws.closed;
    expect(code).toBe(4403);
    expect(reason).toMatch(/expired/);
    await ended;
  });
});

describe('connection limits', () => {
  let limited: TestServer;
  let perClient: TestServer;
  beforeAll(async () => {
    limited = await createTestServer({ WS_MAX_CONNECTIONS: '2', WS_IDLE_TIMEOUT_MS: '500' });
    perClient = await createTestServer({ WS_MAX_CONNECTIONS: '10', WS_MAX_CONNECTIONS_PER_CLIENT: '1' });
  });
  afterAll(async () => {
    await limited.close();
    await perClient.close();
  });

  it('refuses a client a connection over WS_MAX_CONNECTIONS_PER_CLIENT at the upgrade (429)', async () => {
    const first = connect(null, perClient);
    await first.run('{ products(first: 1) { totalCount } }');
    expect(await upgradeStatus(perClient.url)).toEqual({ status: 429, retryAfter: '5' });
    await first.dispose();
    while (perClient.server.webSocket.connections > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await upgradeStatus(perClient.url)).status).toBe(101);
  });

  it('refuses connections over WS_MAX_CONNECTIONS at the upgrade, with 503', async () => {
    const [a, b] = [connect(null, limited), connect(null, limited)];
    await Promise.all([a.run('{ products(first: 1) { totalCount } }'), b.run('{ products(first: 1) { totalCount } }')]);
    expect(await upgradeStatus(limited.url)).toEqual({ status: 503, retryAfter: '5' });
    await Promise.all([a.dispose(), b.dispose()]);
    while (limited.server.webSocket.connections > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('closes a connection idle for WS_IDLE_TIMEOUT_MS', async () => {
    const ws = connect(null, limited);
    await ws.run('{ products(first: 1) { totalCount } }');
    expect(await ws.closed).toEqual({ code: 1000, reason: 'Idle connection closed' });
  });
});

/** The status of a graphql-ws upgrade request to `url` (101 when it is accepted), and its Retry-After. */
/** The status of an upgrade request, its connection closed at once when it succeeded. */
async function upgradeStatus(url: string): Promise<{ status: number; retryAfter?: string }> {
  const { socket, ...answer } = await requestUpgrade(url);
  socket?.destroy();
  return answer.status === 101 ? { status: 101 } : answer;
}
