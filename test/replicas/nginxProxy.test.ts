import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { signWithPrivateKey } from '../../src/auth/signToken';
import { describeIf } from '../helpers/conditions';
import { readmeQuery, writeJwtKeyPair } from '../helpers/deployment';
import { killSpawnedProcesses, loggedMetricsUrl, spawnDetached } from '../helpers/gatewayProcess';
import { waitUntilSubscriptionFollows } from '../helpers/orders';
import { freePort } from '../helpers/ports';
import { startReplicaSet, type Replica, type ReplicaSet } from '../helpers/replicaSet';
import { waitFor } from '../helpers/waiting';
import { connectWebSocket } from '../helpers/webSocketClients';

/**
 * docs/deployment.md's manual steps: two production-mode replicas on one database behind nginx
 * running the committed deploy/nginx/nginx.conf, with the committed upstream.local.conf's two
 * addresses pointed at the replicas' ports and the listening port moved to a free one (the only
 * two substitutions). Requests through nginx's one port reach both replicas, a graphql-ws
 * subscription upgrades through it, and the address the replicas key clients by (rate limits,
 * WebSocket connections) is the one nginx saw, never one the client claims.
 */
const ROOT = path.resolve(__dirname, '../..');
const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((file) => spawnSync(file, ['-v']).status === 0);
afterAll(killSpawnedProcesses);

const describeWithNginx = describeIf(
  Boolean(process.env.DATABASE_URL && process.env.REDIS_URL && process.env.NATS_URL && NGINX),
  'needs PostgreSQL, Redis and NATS JetStream (DATABASE_URL, REDIS_URL and NATS_URL) and nginx (Debian package `nginx`, installed by .ci/run)',
);

/** Replaces `from` by `to` in `text`, exactly once: a committed file that changed shape fails the test instead of testing something else. */
function substituteOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

/** The sum of a metric's series on one replica's METRICS_PORT (0 when it has none yet). */
async function gauge(replica: Replica, name: string): Promise<number> {
  const text = await (await fetch(loggedMetricsUrl(replica.current))).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((sum, [, value]) => sum + Number(value), 0);
}

const operationsServed = (replica: Replica) => gauge(replica, 'gateway_operation_duration_seconds_count');
const webSocketConnections = (replica: Replica) => gauge(replica, 'gateway_websocket_connections');

describeWithNginx('two replicas behind nginx with the committed configuration', () => {
  let set: ReplicaSet;
  let prefix: string;
  let proxyUrl: string;
  let sign: (claims: Record<string, unknown>, subject: string) => Promise<string>;

  beforeAll(async () => {
    prefix = await mkdtemp(path.join(tmpdir(), 'gateway-nginx-'));
    // nginx's workers run as an unprivileged user when it is started as root: they create their temporary files here.
    await chmod(prefix, 0o755);
    const { publicKey, privateKeyFile } = writeJwtKeyPair(prefix);
    const privateKeyPem = await readFile(privateKeyFile, 'utf8');
    sign = (claims, subject) =>
      signWithPrivateKey({
        privateKeyPem,
        algorithm: 'RS256',
        issuer: 'orders-gateway',
        audience: 'orders-gateway',
        subject,
        claims,
        expiresIn: '10m',
      });
    // As compose.yaml runs them, on this run's own database, Redis keys and NATS stream.
    set = await startReplicaSet({
      NODE_ENV: 'production',
      // Production refuses a shared secret (an empty setting is an unset one): tokens are signed with the deployment's key.
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: publicKey,
      METRICS_PORT: '0',
      DATABASE_POOL_SIZE: '4',
      TRUSTED_PROXIES: 'loopback',
      // An anonymous bucket one query empties, and that hardly refills.
      RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { bucketSize: 30, restoreRate: 0.01 } }),
      // One WebSocket connection per client address and replica: the address nginx passes on decides.
      WS_MAX_CONNECTIONS_PER_CLIENT: '1',
    });

    const listen = await freePort();
    const config = await readFile(path.join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8');
    await writeFile(path.join(prefix, 'nginx.conf'), substituteOnce(config, 'listen 8080;', `listen 127.0.0.1:${listen};`));
    let upstream = await readFile(path.join(ROOT, 'deploy/nginx/upstream.local.conf'), 'utf8');
    upstream = substituteOnce(upstream, '127.0.0.1:4001', `127.0.0.1:${new URL(set.replicas[0].url).port}`);
    upstream = substituteOnce(upstream, '127.0.0.1:4002', `127.0.0.1:${new URL(set.replicas[1].url).port}`);
    await writeFile(path.join(prefix, 'upstream.conf'), upstream);
    const nginx = spawnDetached(NGINX!, ['-p', prefix, '-c', 'nginx.conf', '-g', 'daemon off;'], { cwd: prefix, env: {} });
    proxyUrl = `http://127.0.0.1:${listen}`;
    await waitFor(
      'nginx to answer /healthz',
      async () => {
        if (nginx.child.exitCode !== null) throw new Error(`nginx exited:\n${nginx.output()}`);
        return fetch(`${proxyUrl}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
      },
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${nginx.output()}`);
    });
  }, 180_000);

  afterAll(async () => {
    killSpawnedProcesses();
    await set?.close();
    if (prefix) await rm(prefix, { recursive: true, force: true });
  }, 60_000);

  const post = (token: string, body: unknown) =>
    fetch(`${proxyUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

  it("serves the README's query through one port, from both replicas", async () => {
    const token = await sign({ roles: ['support'] }, 'support-1');
    const before = await Promise.all(set.replicas.map(operationsServed));
    for (let i = 0; i < 8; i++) {
      const { status, body } = await post(token, readmeQuery());
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
      expect(body.data.orders.edges).toHaveLength(2);
    }
    const after = await Promise.all(set.replicas.map(operationsServed));
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
      const received: any[] = [];
      let ended: unknown;
      subscriber.client.subscribe(
        { query: 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { previousStatus status order { id } } }', variables: { id: order } },
        { next: (result) => received.push(result), error: (error) => (ended = error ?? 'error'), complete: () => (ended = 'complete') },
      );
      // What was committed before the replica holding the subscription follows the outbox is not delivered.
      await waitUntilSubscriptionFollows(set, order, () => received.length);
      const admin = await sign({ roles: ['admin'] }, 'admin');
      const paid = await post(admin, { query: `mutation { markOrderPaid(id: "${order}") { order { status } } }` });
      expect(paid.body.data.markOrderPaid.order.status).toBe('PAID');
      const change = (previousStatus: string | null, status: string) => ({ data: { orderStatusChanged: { previousStatus, status, order: { id: order } } } });
      await waitFor(
        'the status change through nginx',
        () => received.some((result) => result.data?.orderStatusChanged.status === 'PAID') || ended !== undefined,
        20_000,
      );
      expect(ended).toBeUndefined();
      const copies = received.length - 1;
      expect(copies).toBeGreaterThanOrEqual(1);
      expect(received).toEqual([...Array.from({ length: copies }, () => change(null, 'PENDING')), change('PENDING', 'PAID')]);
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

  it('counts WebSocket connections by the address nginx saw, whatever X-Forwarded-For the client sends', async () => {
    const token = await sign({ roles: ['support'] }, 'support-ws');
    const held: WebSocket[] = [];
    try {
      await waitFor('the replicas to hold no WebSocket connection', async () =>
        (await Promise.all(set.replicas.map(webSocketConnections))).every((n) => n === 0),
      );
      // nginx deals connections out in turn per worker, and a replica holding one refuses the next
      // from the same address: connect until each replica holds one, all claiming one address.
      await waitFor(
        'each replica to hold one connection',
        async () => {
          const opened = await upgrade(`${proxyUrl}/graphql`, '203.0.113.1', token);
          if (opened.socket) held.push(opened.socket);
          else expect(opened.status).toBe(429);
          return (await Promise.all(set.replicas.map(webSocketConnections))).every((n) => n === 1);
        },
        30_000,
      );
      expect(held).toHaveLength(2);
      // Whichever replica nginx picks already holds a connection from the address nginx sees;
      // were the client's header passed on, a new address would be a new allowance.
      for (let i = 0; i < 4; i++) {
        const refused = await upgrade(`${proxyUrl}/graphql`, `203.0.113.${i + 2}`, token);
        refused.socket?.close();
        expect(refused.status).toBe(429);
      }
    } finally {
      for (const socket of held) socket.close();
    }
  }, 60_000);
});

/**
 * A graphql-ws connection through `url` claiming X-Forwarded-For `forwardedFor`: the socket once
 * the gateway acknowledged it (connection_ack), or the HTTP status that refused the upgrade.
 */
function upgrade(url: string, forwardedFor: string, token: string): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { 'x-forwarded-for': forwardedFor } });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ status: 101, socket });
    });
    socket.once('close', (code, reason) => reject(new Error(`the connection closed before connection_ack: ${code} ${String(reason)}`)));
    socket.on('error', reject);
  });
}
