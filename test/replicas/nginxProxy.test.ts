import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signWithPrivateKey } from '../../src/auth/signToken';
import { connectDatabase } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrations';
import { SEED_SIZES, seedDatabase } from '../../src/db/seed';
import { describeIf } from '../helpers/conditions';
import { freePort, readmeQuery } from '../helpers/deployment';
import { killSpawnedProcesses, loggedMetricsUrl, spawnDetached, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';
import { createThrowawayDatabase, DEFAULT_DATABASE_TIMEOUTS } from '../helpers/testDatabases';
import { connectWebSocket } from '../helpers/webSocketClients';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * docs/deployment.md's manual steps: two production-mode replicas on one database behind nginx
 * running the committed deploy/nginx/nginx.conf, with the committed upstream.local.conf's two
 * addresses pointed at the replicas' ports and the listening port moved to a free one (the only
 * two substitutions). Requests through nginx's one port reach both replicas, and a graphql-ws
 * subscription upgrades through it.
 */
const ROOT = path.resolve(__dirname, '../..');
const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((file) => spawnSync(file, ['-v']).status === 0);
afterAll(killSpawnedProcesses);

const describeWithNginx = describeIf(
  Boolean(process.env.DATABASE_URL && NGINX),
  'needs PostgreSQL (DATABASE_URL) and nginx (Debian package `nginx`, installed by .ci/run)',
);

/** Replaces `from` by `to` in `text`, exactly once: a committed file that changed shape fails the test instead of testing something else. */
function substituteOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

/** The sum of a metric's series on one replica's METRICS_PORT (0 when it has none yet). */
async function gauge(gateway: SpawnedProcess, name: string): Promise<number> {
  const text = await (await fetch(loggedMetricsUrl(gateway))).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((sum, [, value]) => sum + Number(value), 0);
}

const operationsServed = (gateway: SpawnedProcess) => gauge(gateway, 'gateway_operation_duration_seconds_count');

describeWithNginx('two replicas behind nginx with the committed configuration', () => {
  let database: { url: string; drop: () => Promise<void> };
  let prefix: string;
  let proxyUrl: string;
  let replicas: SpawnedProcess[];
  let sign: (claims: Record<string, unknown>, subject: string) => Promise<string>;

  beforeAll(async () => {
    database = await createThrowawayDatabase(process.env.DATABASE_URL!, 'gateway_nginx');
    const db = connectDatabase({ connectionString: database.url, poolSize: 2, timeouts: DEFAULT_DATABASE_TIMEOUTS });
    try {
      await applyMigrations(db.pool);
      await seedDatabase(db.prisma, SEED_SIZES.demo);
    } finally {
      await db.close();
    }
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    sign = (claims, subject) =>
      signWithPrivateKey({
        privateKeyPem: privateKey,
        algorithm: 'RS256',
        issuer: 'orders-gateway',
        audience: 'orders-gateway',
        subject,
        claims,
        expiresIn: '10m',
      });
    // As compose.yaml runs them, on this run's own Redis keys and NATS stream when those are there.
    const unique = `nginx_${process.pid}_${randomBytes(3).toString('hex')}`;
    const shared = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      JWT_PUBLIC_KEY: publicKey,
      METRICS_PORT: '0',
      DATABASE_POOL_SIZE: '4',
      RATE_LIMIT_REDIS_PREFIX: `${unique}:ratelimit:`,
      RESPONSE_CACHE_REDIS_PREFIX: `${unique}:cache:`,
      QUOTA_REDIS_PREFIX: `${unique}:quota:`,
      PERSISTED_QUERIES_REDIS_PREFIX: `${unique}:`,
      NATS_STREAM: unique,
      NATS_SUBJECT_PREFIX: `${unique}.events`,
      TRUSTED_PROXIES: 'loopback',
      // An anonymous bucket one query empties, and that hardly refills.
      RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { bucketSize: 30, restoreRate: 0.01 } }),
    };
    replicas = [startGatewayProcess(shared), startGatewayProcess(shared)];
    const ports = await Promise.all(replicas.map(async (replica) => new URL(await waitForUrl(replica)).port));

    prefix = await mkdtemp(path.join(tmpdir(), 'gateway-nginx-'));
    // nginx's workers run as an unprivileged user when it is started as root: they create their temporary files here.
    await chmod(prefix, 0o755);
    const listen = await freePort();
    const config = await readFile(path.join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8');
    await writeFile(path.join(prefix, 'nginx.conf'), substituteOnce(config, 'listen 8080;', `listen 127.0.0.1:${listen};`));
    let upstream = await readFile(path.join(ROOT, 'deploy/nginx/upstream.local.conf'), 'utf8');
    upstream = substituteOnce(upstream, '127.0.0.1:4001', `127.0.0.1:${ports[0]}`);
    upstream = substituteOnce(upstream, '127.0.0.1:4002', `127.0.0.1:${ports[1]}`);
    await writeFile(path.join(prefix, 'upstream.conf'), upstream);
    const nginx = spawnDetached(NGINX!, ['-p', prefix, '-c', 'nginx.conf', '-g', 'daemon off;'], { cwd: prefix, env: {} });
    proxyUrl = `http://127.0.0.1:${listen}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const healthy = await fetch(`${proxyUrl}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) break;
      if (Date.now() > deadline || nginx.child.exitCode !== null) throw new Error(`nginx did not start:\n${nginx.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 180_000);

  afterAll(async () => {
    killSpawnedProcesses();
    await database?.drop();
    if (prefix) await rm(prefix, { recursive: true, force: true });
  });

  const post = (token: string, body: unknown) =>
    fetch(`${proxyUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

  it("serves the README's query through one port, from both replicas", async () => {
    const token = await sign({ roles: ['support'] }, 'support-1');
    const before = await Promise.all(replicas.map(operationsServed));
    for (let i = 0; i < 8; i++) {
      const { status, body } = await post(token, readmeQuery());
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
      expect(body.data.orders.edges).toHaveLength(2);
    }
    const after = await Promise.all(replicas.map(operationsServed));
    const served = after.map((count, i) => count - before[i]!);
    expect(served.reduce((a, b) => a + b, 0)).toBe(8);
    expect(served.every((count) => count > 0)).toBe(true);
  }, 60_000);

  it('upgrades a graphql-ws subscription through nginx and delivers an order status change made through it', async () => {
    const shopper = await sign({ roles: ['customer'], customer_id: 1 }, 'customer-1');
    const placed = await post(shopper, { query: 'mutation { placeOrder(input: {items: [{productId: "UHJvZHVjdDox", quantity: 1}]}) { order { id } } }' });
    const order: string = placed.body.data.placeOrder.order.id;

    const subscriber = connectWebSocket(`${proxyUrl}/graphql`, { authorization: `Bearer ${shopper}` });
    try {
      const change = new Promise<unknown>((resolve, reject) =>
        subscriber.client.subscribe(
          { query: 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { previousStatus status order { id } } }', variables: { id: order } },
          { next: resolve, error: reject, complete: () => reject(new Error('the subscription completed without an event')) },
        ),
      );
      // The change must come after the replica that holds the subscription follows the outbox:
      // it has the operation (its gauge), then reads where the outbox ends, a statement later.
      const deadline = Date.now() + 20_000;
      while ((await Promise.all(replicas.map((r) => gauge(r, 'gateway_websocket_operations')))).reduce((a, b) => a + b, 0) < 1) {
        if (Date.now() > deadline) throw new Error('no replica holds the subscription sent through nginx');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const admin = await sign({ roles: ['admin'] }, 'admin');
      const paid = await post(admin, { query: `mutation { markOrderPaid(id: "${order}") { order { status } } }` });
      expect(paid.body.data.markOrderPaid.order.status).toBe('PAID');
      expect(await change).toEqual({ data: { orderStatusChanged: { previousStatus: 'PENDING', status: 'PAID', order: { id: order } } } });
    } finally {
      await subscriber.dispose();
    }
  }, 60_000);

  it('keys anonymous buckets by the address nginx saw, whatever X-Forwarded-For the client sends', async () => {
    const query = { query: 'query($first: Int) { products(first: $first) { edges { node { sku } } } }' };
    const asAnonymous = (forwardedFor: string, first: number) =>
      fetch(`${proxyUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ ...query, variables: { first } }),
      });
    expect((await asAnonymous('203.0.113.1', 14)).status).toBe(200); // 29 of the 30 points
    // nginx replaces the header with its own peer's address: a new address claimed by the client is not a new bucket.
    const refused = await asAnonymous('203.0.113.2', 1);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
  }, 60_000);
});
