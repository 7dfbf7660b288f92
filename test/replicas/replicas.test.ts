import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApiKey } from '../../src/auth/apiKeys';
import { describeIf } from '../helpers/conditions';
import { killSpawnedProcesses } from '../helpers/gatewayProcess';
import { createStockedProduct, PLACE_ORDER, TRANSITION, waitUntilSubscriptionFollows } from '../helpers/orders';
import { startReplicaSet, type Replica, type ReplicaSet } from '../helpers/replicaSet';
import { signToken } from '../helpers/tokens';
import { pause, waitFor } from '../helpers/waiting';
import { connectWebSocket, type WebSocketClient } from '../helpers/webSocketClients';

/**
 * Two gateway processes on one PostgreSQL, Redis and NATS JetStream behave as one gateway:
 * whatever one replica holds (a client's budget, an idempotency key, stock, the outbox, a
 * subscription's events) the other honours, and a rolling restart loses nothing.
 */

/** A tier of its own for the budget test: drained in a handful of requests, slow to refill. */
const TIGHT = { bucketSize: 100, restoreRate: 2 };
/** How long a retry waits for the request holding its key before IDEMPOTENCY_KEY_IN_PROGRESS. */
const IDEMPOTENCY_WAIT_MS = 3_000;

const hasServers = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL && process.env.NATS_URL);
const describeWithServers = describeIf(
  hasServers,
  'needs PostgreSQL, Redis and NATS JetStream servers (DATABASE_URL, REDIS_URL and NATS_URL), as `.ci/run` gives `npm run test:scaleout`',
);

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function post(replica: Replica, headers: Record<string, string>, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(replica.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const bearer = async (claims: Record<string, unknown>, subject: string) => ({
  authorization: `Bearer ${await signToken(claims, { subject, expiresIn: '30m' })}`,
});
afterAll(killSpawnedProcesses);

describeWithServers('two gateway replicas on one PostgreSQL, Redis and NATS', () => {
  let set: ReplicaSet;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    set = await startReplicaSet({
      RATE_LIMIT_TIERS: JSON.stringify({ tight: TIGHT }),
      IDEMPOTENCY_WAIT_MS: String(IDEMPOTENCY_WAIT_MS),
      // A placeOrder held on a stock row lock must outlast a retry's whole wait on the other replica.
      DATABASE_LOCK_TIMEOUT_MS: '8000',
      DATABASE_STATEMENT_TIMEOUT_MS: '8000',
      DATABASE_TRANSACTION_TIMEOUT_MS: '12000',
      REQUEST_TIMEOUT_MS: '15000',
      DATABASE_POOL_SIZE: '8',
      // Small batches polled often: the two dispatchers take turns on many batches, not one each.
      OUTBOX_BATCH_SIZE: '5',
      OUTBOX_POLL_MS: '100',
    });
    [a, b] = set.replicas;
  }, 120_000);
  afterAll(async () => {
    await set?.close();
  }, 60_000);

  it('shares one client budget: alternating replicas get no more than one bucket allows, then 429 with Retry-After on both', async () => {
    const { key } = await createApiKey(set.db.prisma, { clientName: 'replicas-budget', scopes: [], rateTier: 'tight' });
    const query = `query($first: Int) { products(first: $first) { edges { node { sku } } } }`; // 1 + 2 x first points
    const cost = 19;
    const answers: Array<Answer & { replica: string }> = [];
    const startedAt = performance.now();
    for (let i = 0; i < 30; i++) {
      const replica = set.replicas[i % 2]!;
      answers.push({ replica: replica.name, ...(await post(replica, { 'x-api-key': key }, query, { first: 9 })) });
    }
    const elapsedSeconds = (performance.now() - startedAt) / 1000;

    const allowed = answers.filter((answer) => answer.status === 200);
    const spent = allowed.reduce((sum, answer) => sum + answer.body.extensions.cost.actualQueryCost, 0);
    // Per-replica buckets would let through about twice the bucket (10 requests, 190 points, at once).
    expect(spent).toBeLessThanOrEqual(TIGHT.bucketSize + TIGHT.restoreRate * elapsedSeconds + cost);
    expect(allowed.length).toBeGreaterThanOrEqual(Math.floor(TIGHT.bucketSize / cost));
    for (const replica of set.replicas) {
      const refused = answers.find((answer) => answer.replica === replica.name && answer.status !== 200);
      expect(refused).toMatchObject({ status: 429, body: { errors: [{ extensions: { code: 'RATE_LIMITED' } }] } });
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  describe('Idempotency-Key', () => {
    let lock: pg.Client;
    beforeEach(async () => {
      lock = new pg.Client({ connectionString: set.databaseUrl });
      await lock.connect();
    });
    afterEach(() => lock.end());

    /**
     * The replicas' statements waiting for a lock the test holds, those whose text contains
     * `statement` (all when omitted). Read on a connection outside the test's transactions:
     * within one, PostgreSQL shows the same snapshot of pg_stat_activity throughout.
     */
    const lockWaiters = async (statement = '') =>
      Number(
        (
          await set.db.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND strpos(query, $1) > 0`,
            [statement],
          )
        ).rows[0]!.n,
      );
    const claimsWaiting = () => lockWaiters('INSERT INTO "IdempotencyKey"');

    it('makes a retry on the other replica wait for, or refuse while, the first request runs, then replay it', async () => {
      const product = await createStockedProduct(set, { 1: 5 });
      const shopper = { ...(await bearer({ roles: ['customer'], customer_id: 11 }, 'replicas-idem-running')), 'idempotency-key': randomUUID() };
      const input = { input: { items: [{ productId: product.globalId, quantity: 1 }] } };

      // The first request claims its key on A, then waits for the stock rows the test holds.
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM "InventoryLevel" WHERE "productId" = $1 FOR UPDATE', [product.id]);
      const first = post(a, shopper, PLACE_ORDER, input);
      await waitFor('the first request to wait for the stock lock', async () => (await lockWaiters()) >= 1);

      // While it cannot finish, B answers a retry once the wait is over: 409, without running it
      // (a B that ran it would wait on the same lock, past the wait, and answer otherwise).
      const refused = await post(b, shopper, PLACE_ORDER, input);
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      // A retry that arrives while it still runs waits for it and replays its outcome. B's claim
      // of the key is seen twice, each time held up behind a lock the test takes on the key table
      // (writes wait, reads do not): the first shows the retry arrived while A held the key, the
      // second that B found it held and came back for it, that is, that B is waiting.
      const keys = new pg.Client({ connectionString: set.databaseUrl });
      await keys.connect();
      try {
        let answered: Answer | undefined;
        const holdClaims = () => keys.query('BEGIN').then(() => keys.query('LOCK TABLE "IdempotencyKey" IN SHARE MODE'));
        const releaseClaimsOnceOneWaits = async (what: string) => {
          await waitFor(what, async () => {
            if (answered) throw new Error(`B answered the retry without waiting for A: ${JSON.stringify(answered.body)}`);
            return (await claimsWaiting()) >= 1;
          });
          await keys.query('COMMIT');
        };
        await holdClaims();
        const waiting = post(b, shopper, PLACE_ORDER, input).then((answer) => {
          answered = answer;
          return { ...answer, at: performance.now() };
        });
        await releaseClaimsOnceOneWaits("the retry's claim of the key on B");
        await holdClaims();
        await releaseClaimsOnceOneWaits("B's claim of the key again, once it found A holding it");
        const releasedAt = performance.now();
        await lock.query('ROLLBACK');
        const [original, replayed] = await Promise.all([first, waiting]);
        expect(original.status).toBe(200);
        expect(original.body.data.placeOrder.order.id).toEqual(expect.any(String));
        expect(original.headers.get('idempotent-replayed')).toBeNull();
        expect(replayed.status).toBe(200);
        expect(replayed.headers.get('idempotent-replayed')).toBe('true');
        expect(replayed.body.data).toEqual(original.body.data);
        expect(replayed.at).toBeGreaterThan(releasedAt);
      } finally {
        await keys.end();
      }

      expect(await set.db.prisma.orderItem.count({ where: { productId: product.id } })).toBe(1);
      expect(await set.db.prisma.inventoryLevel.findFirstOrThrow({ where: { productId: product.id } })).toMatchObject({ reserved: 1 });
    });

    it('replays a completed placeOrder to its retry on the other replica, acting once', async () => {
      const product = await createStockedProduct(set, { 1: 5 });
      const shopper = { ...(await bearer({ roles: ['customer'], customer_id: 11 }, 'replicas-idem-done')), 'idempotency-key': randomUUID() };
      const input = { input: { items: [{ productId: product.globalId, quantity: 2 }] } };
      const original = await post(b, shopper, PLACE_ORDER, input);
      const retry = await post(a, shopper, PLACE_ORDER, input);
      expect(original.body.data.placeOrder.userErrors).toEqual([]);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.data).toEqual(original.body.data);
      expect(await set.db.prisma.orderItem.count({ where: { productId: product.id } })).toBe(1);
      expect(await set.db.prisma.inventoryLevel.findFirstOrThrow({ where: { productId: product.id } })).toMatchObject({ reserved: 2 });
    });
  });

  it('never oversells when concurrent placeOrders are split across both replicas', async () => {
    const product = await createStockedProduct(set, { 1: 4, 2: 3 });
    const shopper = await bearer({ roles: ['customer'], customer_id: 12 }, 'replicas-oversell');
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        post(set.replicas[i % 2]!, shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } }),
      ),
    );
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { data: { placeOrder: expect.anything() } } });
    const payloads = answers.map((answer) => answer.body.data.placeOrder);
    const placed = payloads.filter((payload) => payload.order);
    const refused = payloads.filter((payload) => !payload.order);
    expect(placed).toHaveLength(7);
    expect(new Set(placed.map((payload) => payload.order.id)).size).toBe(7);
    for (const payload of refused)
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INSUFFICIENT_STOCK', field: ['input', 'items', '0', 'quantity'] })]);

    const levels = await set.db.prisma.inventoryLevel.findMany({ where: { productId: product.id } });
    for (const level of levels) expect(level.reserved).toBeLessThanOrEqual(level.onHand);
    expect(levels.reduce((sum, level) => sum + level.reserved, 0)).toBe(7);
    const sums = { _sum: { quantity: 7 } };
    expect(await set.db.prisma.reservation.aggregate({ where: { productId: product.id }, _sum: { quantity: true } })).toEqual(sums);
    expect(await set.db.prisma.orderItem.aggregate({ where: { productId: product.id }, _sum: { quantity: true } })).toEqual(sums);
  });

  it('delivers to a subscriber on B the status changes of an order changed through A', async () => {
    const product = await createStockedProduct(set, { 1: 10 });
    const shopper = await bearer({ roles: ['customer'], customer_id: 13 }, 'replicas-subscriber');
    const admin = await bearer({ roles: ['admin'] }, 'replicas-admin');
    const placed = await post(a, shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } });
    const orderId: string = placed.body.data.placeOrder.order.id;

    let subscriber: WebSocketClient | undefined;
    try {
      subscriber = connectWebSocket(b.url, shopper);
      const received: any[] = [];
      let ended: unknown;
      subscriber.client.subscribe(
        { query: `subscription($id: ID!) { orderStatusChanged(orderId: $id) { previousStatus status order { id status } } }`, variables: { id: orderId } },
        { next: (result) => received.push(result), error: (error) => (ended = error ?? 'error'), complete: () => (ended = 'complete') },
      );
      // What was committed before B follows the event log is not delivered.
      await waitUntilSubscriptionFollows(set, orderId, () => received.length);
      expect((await post(a, admin, TRANSITION('markOrderPaid'), { id: orderId })).body.data.markOrderPaid.userErrors).toEqual([]);
      expect((await post(a, shopper, TRANSITION('cancelOrder'), { id: orderId, reason: 'changed my mind' })).body.data.cancelOrder.userErrors).toEqual([]);
      const change = (previousStatus: string | null, status: string, orderStatus: unknown) => ({
        data: { orderStatusChanged: { previousStatus, status, order: { id: orderId, status: orderStatus } } },
      });
      await waitFor(
        'both status changes on B',
        () => received.some((result) => result.data?.orderStatusChanged.status === 'CANCELLED') || ended !== undefined,
        20_000,
      );
      expect(ended).toBeUndefined();
      const copies = received.length - 2;
      expect(copies).toBeGreaterThanOrEqual(1);
      expect(received).toEqual([
        // The copies' order is read as each is delivered: a late one may find it paid already.
        ...Array.from({ length: copies }, () => change(null, 'PENDING', expect.any(String))),
        change('PENDING', 'PAID', expect.any(String)),
        change('PAID', 'CANCELLED', 'CANCELLED'),
      ]);
    } finally {
      await subscriber?.dispose();
    }
  });

  it('publishes every event of both replicas exactly once, none left pending or dead', async () => {
    const product = await createStockedProduct(set, { 1: 500, 2: 500 });
    const admin = await bearer({ roles: ['admin'] }, 'replicas-admin');
    const shopper = await bearer({ roles: ['customer'], customer_id: 14 }, 'replicas-outbox');
    // Orders placed on one replica and paid or cancelled on the other: both write events.
    const placed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(set.replicas[i % 2]!, shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } }),
      ),
    );
    const transitions = await Promise.all(
      placed.map((answer, i) => {
        const id = answer.body.data.placeOrder.order.id;
        const other = set.replicas[(i + 1) % 2]!;
        return i % 3 === 0
          ? post(other, shopper, TRANSITION('cancelOrder'), { id, reason: 'outbox test' })
          : post(other, admin, TRANSITION('markOrderPaid'), { id });
      }),
    );
    for (const answer of transitions) expect(Object.values(answer.body.data)).toEqual([expect.objectContaining({ userErrors: [] })]);
    await expectEveryEventPublishedOnce(set);
  });

  it('loses no accepted request and no event over a rolling restart under load', async () => {
    const product = await createStockedProduct(set, { 1: 100_000 });
    const customerId = 21;
    const ordersBefore = await set.db.prisma.order.count({ where: { customerId } });
    const load = startLoad(set, { workers: 4, customerId, productId: product.globalId });

    await pause(1_500);
    for (const replica of set.replicas) {
      const stopping = replica.current;
      expect(await set.stop(replica)).toBe(0);
      expect(stopping.output()).toContain('shut down cleanly');
      await set.start(replica);
      // The restarted replica takes its share again before the next one goes.
      await pause(1_500);
    }
    const operations = await load.stop();

    const attempts = operations.flatMap((operation) => operation.attempts);
    // Both replicas were down in turn while the load ran: some attempts found them refusing.
    expect(attempts.filter((attempt) => attempt.outcome === 'refused').length).toBeGreaterThan(0);
    // The restarted processes served the load too.
    for (const replica of set.replicas) {
      const served = attempts.filter((attempt) => attempt.outcome === 'answered' && replica.current.output().includes(attempt.traceId));
      expect(served.length).toBeGreaterThan(0);
    }

    // Accepted: the gateway read the request and began handling it. An attempt that got no
    // response must be one the gateway never accepted (its connection refused, or reset before
    // the gateway read it, as a closing keep-alive connection can be). Two traces would show an
    // accepted one: the gateway's log line of the request, which carries the trace id we sent
    // (a connection cut after the request was handled), and, for a placeOrder, its retry finding
    // the key replayed or still held (a process that died with the request running).
    expect(attempts.filter((attempt) => attempt.outcome === 'cut')).toEqual([]);
    const output = set.output();
    const lost = attempts.filter((attempt) => attempt.outcome !== 'answered' && output.includes(attempt.traceId));
    expect(lost).toEqual([]);
    const orders = operations.filter((operation) => operation.kind === 'order');
    const retried = orders.flatMap((operation) => operation.attempts.slice(1));
    expect(retried.filter((attempt) => attempt.replayed || attempt.status === 409)).toEqual([]);
    // The only 5xx allowed is the coded, retryable one.
    for (const attempt of attempts.filter((attempt) => attempt.status !== undefined && attempt.status >= 500)) {
      expect(attempt).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(attempt.retryAfter).toBeGreaterThanOrEqual(1);
    }

    // Every operation ended with a complete answer.
    expect(operations.filter((operation) => !operation.final)).toEqual([]);
    for (const operation of orders) expect(operation.final!.body.data.placeOrder.userErrors).toEqual([]);
    for (const operation of operations.filter((operation) => operation.kind === 'read')) {
      expect(operation.final!.body.errors).toBeUndefined();
    }
    // Every order placed exists once.
    const orderIds = orders.map((operation) => operation.final!.body.data.placeOrder.order.id as string);
    expect(new Set(orderIds).size).toBe(orderIds.length);
    expect(await set.db.prisma.order.count({ where: { customerId } })).toBe(ordersBefore + orders.length);

    const messages = await expectEveryEventPublishedOnce(set);
    const placedEvents = new Set(messages.filter((message) => message.body.type === 'order.placed').map((message) => message.body.payload.orderId));
    expect(orderIds.filter((id) => !placedEvents.has(id))).toEqual([]);
  });
});

/**
 * Waits until no event is PENDING, then checks that each one was published once: one publish
 * attempt recorded (two dispatchers that took the same row both count theirs) and one message
 * per event id in the stream (whose 100 ms duplicate window hides no republication later than
 * that), and none parked as DEAD.
 */
async function expectEveryEventPublishedOnce(set: ReplicaSet) {
  await waitFor('the outbox to drain', async () => (await set.db.prisma.event.count({ where: { status: 'PENDING' } })) === 0, 60_000);
  const events = await set.db.prisma.event.findMany({ select: { id: true, type: true, status: true, attempts: true } });
  expect(events.length).toBeGreaterThan(0);
  expect(events.filter((event) => event.status !== 'PUBLISHED' || event.attempts !== 1)).toEqual([]);
  const messages = await set.streamMessages();
  const counts = new Map<string, number>();
  for (const message of messages) {
    expect(message.body.id).toBe(message.msgId);
    counts.set(message.msgId!, (counts.get(message.msgId!) ?? 0) + 1);
  }
  expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
  expect([...counts.keys()].sort()).toEqual(events.map((event) => event.id).sort());
  return messages;
}

interface Attempt {
  replica: string;
  traceId: string;
  /** answered: a complete response; refused/reset: no response; cut: a response that broke off. */
  outcome: 'answered' | 'refused' | 'reset' | 'cut';
  status?: number;
  code?: string;
  retryAfter?: number;
  replayed?: boolean;
}

interface Operation {
  kind: 'read' | 'order';
  attempts: Attempt[];
  /** The answer the client ended with. */
  final?: Answer;
}

const CONNECTION_REFUSED = new Set(['ECONNREFUSED']);
const CONNECTION_RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Sends one attempt with a trace id of its own (in `traceparent`), which the gateway's log line
 * of the request carries.
 */
async function attempt(replica: Replica, headers: Record<string, string>, body: string): Promise<{ attempt: Attempt; answer?: Answer }> {
  const traceId = randomBytes(16).toString('hex');
  const sent: Attempt = { replica: replica.name, traceId, outcome: 'answered' };
  let response: Response;
  try {
    response = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, ...headers },
      body,
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
    if (CONNECTION_REFUSED.has(code)) return { attempt: { ...sent, outcome: 'refused' } };
    if (CONNECTION_RESET.has(code)) return { attempt: { ...sent, outcome: 'reset' } };
    throw error;
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { attempt: { ...sent, outcome: 'cut', status: response.status } };
  }
  const parsed = JSON.parse(text);
  return {
    attempt: {
      ...sent,
      status: response.status,
      code: parsed.errors?.[0]?.extensions?.code,
      retryAfter: response.headers.has('retry-after') ? Number(response.headers.get('retry-after')) : undefined,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    },
    answer: { status: response.status, headers: response.headers, body: parsed },
  };
}

/**
 * A steady load over both replicas: workers alternating a read and an idempotent placeOrder,
 * each preferring one replica. A client fails over to the other replica only when its attempt
 * got no response (refused or reset before the gateway read it) and retries a 503 after its
 * Retry-After; a mutation is always retried with its Idempotency-Key.
 */
function startLoad(set: ReplicaSet, options: { workers: number; customerId: number; productId: string }) {
  let stopping = false;
  const operations: Operation[] = [];
  const read = JSON.stringify({ query: `{ orders(first: 3) { edges { node { id status } } } }` });
  const order = JSON.stringify({ query: PLACE_ORDER, variables: { input: { items: [{ productId: options.productId, quantity: 1 }] } } });

  const worker = async (index: number) => {
    const credentials = await bearer({ roles: ['customer'], customer_id: options.customerId }, `replicas-load-${index}`);
    for (let n = 0; !stopping; n++) {
      const operation: Operation = { kind: n % 2 === 0 ? 'order' : 'read', attempts: [] };
      operations.push(operation);
      const headers = operation.kind === 'order' ? { ...credentials, 'idempotency-key': randomUUID() } : credentials;
      let replica = set.replicas[(index + n) % 2]!;
      while (!operation.final && operation.attempts.length < 40) {
        const { attempt: sent, answer } = await attempt(replica, headers, operation.kind === 'order' ? order : read);
        operation.attempts.push(sent);
        if (sent.outcome !== 'answered') {
          replica = set.replicas.find((other) => other !== replica)!;
          await pause(20);
        } else if (sent.status === 503) {
          await pause((sent.retryAfter ?? 1) * 1000);
        } else {
          operation.final = answer;
        }
      }
      await pause(20);
    }
  };
  const running = Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
  return {
    async stop(): Promise<Operation[]> {
      stopping = true;
      await running;
      return operations;
    },
  };
}
