import pg from 'pg';
import { killSpawnedProcesses, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';
import { createStockedProduct, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, testDatabaseUrl, type TestServer } from '../helpers/testServer';
import { signToken, TEST_AUTH_ENV } from '../helpers/tokens';
import { describeOnPostgreSQL } from '../helpers/conditions';

/**
 * kill -9 of a gateway in the middle of an idempotent placeOrder, at the two points that
 * matter: before its transaction commits, and after it committed but before the response was
 * stored. Either way the retry with the same key ends with exactly one order, and after the
 * commit it answers with that order. Row locks hold the victim at each point, so PostgreSQL
 * only: the embedded database has one session, where a held lock stops everything.
 */
const LEASE_MS = 3_000;

afterAll(killSpawnedProcesses);

describeOnPostgreSQL('idempotency across a crash', () => {
  let server: TestServer;
  let victim: SpawnedProcess;
  let victimUrl: string;
  const clients: pg.Client[] = [];
  const sql = async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await createTestServer();
  });
  beforeEach(async () => {
    victim = startGatewayProcess({
      ...TEST_AUTH_ENV,
      NODE_ENV: 'test',
      DATABASE_URL: testDatabaseUrl(),
      IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
      REQUEST_TIMEOUT_MS: '2500',
      RATE_LIMIT: 'off',
      REDIS_URL: '',
      NATS_URL: '',
    });
    victimUrl = await waitForUrl(victim);
  }, 60_000);
  afterEach(() => victim.kill());
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await server.close();
  });

  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`gave up waiting; the victim said:\n${victim.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const keyRow = (key: string) => server.db.prisma.idempotencyKey.findFirst({ where: { key } });
  const sendTo = async (url: string, subject: string, key: string, productId: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await signToken({ roles: ['customer'], customer_id: 7, sub: subject })}`,
        'idempotency-key': key,
      },
      body: JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: [{ productId, quantity: 1 }] } } }),
    });

  it('retries a key whose holder was killed before its transaction committed: one order', async () => {
    const product = await createStockedProduct(server, { 1: 5 });
    const stock = await sql();
    await stock.query('BEGIN');
    await stock.query('SELECT 1 FROM "InventoryLevel" WHERE "productId" = $1 FOR UPDATE', [product.id]);
    void sendTo(victimUrl, 'crash-before', 'key-crash-before', product.globalId).catch(() => undefined);
    await until(async () => (await keyRow('key-crash-before')) !== null);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the victim now waits for the stock lock
    victim.kill();
    await victim.exited;
    await stock.query('ROLLBACK');

    const retry = await sendTo(server.url, 'crash-before', 'key-crash-before', product.globalId);
    const body: any = await retry.json();
    expect(retry.status).toBe(200);
    expect(body.data.placeOrder.order.status).toBe('PENDING');
    expect(await server.db.prisma.orderItem.count({ where: { productId: product.id } })).toBe(1);
    const level = await server.db.prisma.inventoryLevel.findFirstOrThrow({ where: { productId: product.id } });
    expect(level.reserved).toBe(1);
  }, 30_000);

  it('answers the retry of a key whose holder was killed after committing with the order it placed', async () => {
    const product = await createStockedProduct(server, { 1: 5 });
    const stock = await sql();
    const keyLock = await sql();
    await stock.query('BEGIN');
    await stock.query('SELECT 1 FROM "InventoryLevel" WHERE "productId" = $1 FOR UPDATE', [product.id]);
    void sendTo(victimUrl, 'crash-after', 'key-crash-after', product.globalId).catch(() => undefined);
    await until(async () => (await keyRow('key-crash-after')) !== null);
    // Hold the key's row so that the victim cannot store its response once it has committed
    // (NO KEY UPDATE lets its transaction reference the row, not update it).
    const { id: keyId } = (await keyRow('key-crash-after'))!;
    await keyLock.query('BEGIN');
    await keyLock.query('SELECT 1 FROM "IdempotencyKey" WHERE "id" = $1 FOR NO KEY UPDATE', [keyId]);
    await stock.query('ROLLBACK');
    await until(async () => (await server.db.prisma.idempotencyEffect.count({ where: { keyId } })) === 1);
    victim.kill();
    await victim.exited;
    // PostgreSQL does not notice a dead client while its statement waits for a lock: end the
    // victim's waiting statements too (its store of the response, its lease renewal), as a
    // death before sending them would have.
    const [{ pid }] = (await keyLock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    await keyLock.query('SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE $1 = ANY(pg_blocking_pids(a.pid))', [pid]);
    await keyLock.query('ROLLBACK');
    const effect = await server.db.prisma.idempotencyEffect.findFirstOrThrow({ where: { keyId } });
    expect((await keyRow('key-crash-after'))!.status).toBe('IN_PROGRESS');

    const retry = await sendTo(server.url, 'crash-after', 'key-crash-after', product.globalId);
    const body: any = await retry.json();
    expect(retry.status).toBe(200);
    expect(body.data.placeOrder.order.id).toBe(Buffer.from(`Order:${effect.resourceId}`).toString('base64url'));
    expect(await server.db.prisma.orderItem.count({ where: { productId: product.id } })).toBe(1);
    expect((await keyRow('key-crash-after'))!.status).toBe('COMPLETED');
  }, 30_000);
});
