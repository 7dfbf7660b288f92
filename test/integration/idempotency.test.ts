import { rowScopeOf } from '../../src/auth/rowScope';
import { IdempotencyStore } from '../../src/idempotency/idempotencyStore';
import { hashRequest } from '../../src/policies/idempotencyPolicy';
import { viewerOf as viewerWithRoles } from '../helpers/requestStates';
import { createStockedProduct, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ DATABASE_POOL_SIZE: '20' });
});
afterAll(() => server.close());

const viewerOf = (customerId: number) => viewerWithRoles(['customer'], { customerId, id: `customer-${customerId}` });
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
    const reordered = await server.queryAs({ ...as, 'idempotency-key': 'key-order' }, PLACE_ORDER, {
      input: { items: [{ quantity: 2, productId: product.globalId }] },
    });
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
      const placeOnce = () =>
        shortLived.queryAs({ ...as, 'idempotency-key': 'key-expiring' }, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } });
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

const keysOf = (key: string) => server.db.prisma.idempotencyKey.count({ where: { key } });

describe('idempotency keys that never stick', () => {
  it.each([
    ['empty', ''],
    ['a tab inside', 'a\tb'],
    ['256 characters', 'k'.repeat(256)],
    ['blank', '   '],
    ['a space inside', 'a b'],
  ])('refuses a key that is %s with 400 BAD_USER_INPUT, for any operation', async (_what, key) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...(await shopper(7)) },
      body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
    });
    expect(response.status).toBe(400);
    const body: any = await response.json();
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/1 to 255 visible ASCII characters/);
  });

  it('stores nothing for a mutation refused before execution: a retry after the fix runs', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await server.bearer({ roles: ['customer'], customer_id: 7, sub: 'refusal-viewer' });
    const badVariables = await server.queryAs({ ...as, 'idempotency-key': 'key-refused' }, PLACE_ORDER, {
      input: { items: [{ productId: product.globalId, quantity: 'two' }] },
    });
    expect(badVariables.status).toBe(400);
    expect(firstError(badVariables).extensions.code).toBe('BAD_USER_INPUT');
    expect(await keysOf('key-refused')).toBe(0);
    const fixed = await place(as, 'key-refused', product.globalId, 2);
    expect(fixed.body.data.placeOrder.userErrors).toEqual([]);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('stores nothing for a mutation the viewer may not run (FORBIDDEN): the same key runs once allowed', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const input = { items: [{ productId: product.globalId, quantity: 1 }] };
    const support = await server.bearer({ roles: ['support'], sub: 'scope-change' });
    const forbidden = await server.queryAs({ ...support, 'idempotency-key': 'key-forbidden' }, PLACE_ORDER, { input });
    expect(firstError(forbidden).extensions.code).toBe('FORBIDDEN');
    expect(await keysOf('key-forbidden')).toBe(0);
    const allowed = await server.bearer({ roles: ['customer'], customer_id: 7, sub: 'scope-change' });
    const placed = await server.queryAs({ ...allowed, 'idempotency-key': 'key-forbidden' }, PLACE_ORDER, { input });
    expect(placed.body.data.placeOrder.order.status).toBe('PENDING');
  });

  it('refuses an Idempotency-Key header on a batch, and keeps one key per operation in extensions', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await shopper(7);
    const op = (key: string) => ({
      query: PLACE_ORDER,
      variables: { input: { items: [{ productId: product.globalId, quantity: 1 }] } },
      extensions: { idempotencyKey: key },
    });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...as, ...headers }, body: JSON.stringify(body) });
    const refused = await post([op('b1'), op('b2')], { 'idempotency-key': 'one-for-all' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    const first: any = await (await post([op('batch-1'), op('batch-2')])).json();
    const again: any = await (await post([op('batch-1'), op('batch-2')])).json();
    expect(again.map((r: any) => r.data.placeOrder.order.id)).toEqual(first.map((r: any) => r.data.placeOrder.order.id));
    expect(again.map((r: any) => r.extensions.idempotentReplayed)).toEqual([true, true]);
    expect(await ordersOf(product.id)).toBe(2);
  });

  it('stores each operation of a batch with its own status, whatever the others answered', async () => {
    const [p1, p2] = [await createStockedProduct(server, { 1: 10 }), await createStockedProduct(server, { 1: 10 })];
    const as = await shopper(7);
    const op = (productId: string, key: string) => ({
      query: PLACE_ORDER,
      variables: { input: { items: [{ productId, quantity: 1 }] } },
      extensions: { idempotencyKey: key },
    });
    const batch = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as },
      body: JSON.stringify([op(p1.globalId, 'batch-own-1'), op(p2.globalId, 'batch-own-1')]),
    });
    // The operations of a batch run concurrently: either may claim the key first.
    const answers: any[] = (await batch.json()) as any[];
    const winner = answers.findIndex((answer) => answer.data?.placeOrder);
    expect(winner).toBeGreaterThanOrEqual(0);
    const [created, reused] = [answers[winner], answers[1 - winner]];
    expect(created.data.placeOrder.order.status).toBe('PENDING');
    expect(reused.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const retry = await server.queryAs({ ...as, 'idempotency-key': 'batch-own-1' }, PLACE_ORDER, {
      input: { items: [{ productId: [p1, p2][winner]!.globalId, quantity: 1 }] },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.data.placeOrder.order.id).toBe(created.data.placeOrder.order.id);
  });

  it('keeps no key for an anonymous client (every mutation needs a scope)', async () => {
    const response = await server.queryAs({ 'idempotency-key': 'key-anonymous' }, 'mutation { ... on Mutation { __typename } }');
    expect(response.status).toBe(200);
    expect(await keysOf('key-anonymous')).toBe(0);
  });

  it('deletes expired keys with their recorded effects', async () => {
    const store = new IdempotencyStore(server.db.prisma, { ttlMs: 1, leaseMs: 1_000, waitMs: 0 });
    const held = await store.claim({ clientKey: 'user:sweep', key: 'key-expired', requestHash: 'h'.repeat(64), viewerScope: '' }, Date.now() + 1_000);
    if (!('claim' in held)) throw new Error('expected a claim');
    await server.db.prisma.idempotencyEffect.create({ data: { keyId: held.claim.id, fieldKey: 'placeOrder', resource: 'Order', resourceId: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await keysOf('key-expired')).toBe(0);
    expect(await server.db.prisma.idempotencyEffect.count({ where: { keyId: held.claim.id } })).toBe(0);
  });

  it('takes over a key whose holder died before committing, once its lease ran out', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await shopper(7);
    const variables = { input: { items: [{ productId: product.globalId, quantity: 1 }] } };
    // A holder that claimed the key with a one-second lease and never came back.
    const store = new IdempotencyStore(server.db.prisma, { ttlMs: 3_600_000, leaseMs: 1_000, waitMs: 0 });
    await store.claim(
      {
        clientKey: 'user:customer-7',
        key: 'key-abandoned',
        requestHash: hashRequest(PLACE_ORDER, undefined, variables),
        viewerScope: JSON.stringify(rowScopeOf(viewerOf(7))),
      },
      Date.now() + 1_000,
    );
    const retry = await server.queryAs({ ...as, 'idempotency-key': 'key-abandoned' }, PLACE_ORDER, variables);
    expect(retry.body.data.placeOrder.order.status).toBe('PENDING');
    expect(await ordersOf(product.id)).toBe(1);
  });

  it("answers 409 with Retry-After while the holder's lease runs, polling with backoff", async () => {
    const waiting = await createTestServer({ IDEMPOTENCY_WAIT_MS: '1000' });
    try {
      const product = await createStockedProduct(waiting, { 1: 10 });
      const variables = { input: { items: [{ productId: product.globalId, quantity: 1 }] } };
      const store = new IdempotencyStore(waiting.db.prisma, { ttlMs: 3_600_000, leaseMs: 30_000, waitMs: 0 });
      await store.claim(
        {
          clientKey: 'user:customer-7',
          key: 'key-held',
          requestHash: hashRequest(PLACE_ORDER, undefined, variables),
          viewerScope: JSON.stringify(rowScopeOf(viewerOf(7))),
        },
        Date.now() + 1_000,
      );
      const { result, statements } = await waiting.countStatements(async () =>
        waiting.queryAs({ ...(await shopper(7)), 'idempotency-key': 'key-held' }, PLACE_ORDER, variables),
      );
      expect(result.status).toBe(409);
      expect(firstError(result).extensions.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(28);
      // 1 s of waiting is a handful of polls, not a transaction every few milliseconds.
      expect(statements).toBeLessThanOrEqual(16);
    } finally {
      await waiting.close();
    }
  });

  it('refuses a replay to a viewer who sees other rows (another customer under the same subject)', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const input = { items: [{ productId: product.globalId, quantity: 1 }] };
    const seven = await server.bearer({ roles: ['customer'], customer_id: 7, sub: 'shared-subject' });
    const eight = await server.bearer({ roles: ['customer'], customer_id: 8, sub: 'shared-subject' });
    await server.queryAs({ ...seven, 'idempotency-key': 'key-viewer' }, PLACE_ORDER, { input });
    const other = await server.queryAs({ ...eight, 'idempotency-key': 'key-viewer' }, PLACE_ORDER, { input });
    expect(other.status).toBe(422);
    expect(firstError(other).extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('authorizes a replay again for the viewer who replays it', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const mutation = `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id customer { name email } } userErrors { code } } }`;
    const variables = { input: { items: [{ productId: product.globalId, quantity: 1 }], customerId: Buffer.from('Customer:3').toString('base64url') } };
    const everything = await server.bearer({ sub: 'bff-service', scope: 'orders:read orders:write customers:read customers:pii' });
    const first = await server.queryAs({ ...everything, 'idempotency-key': 'key-reauthorized' }, mutation, variables);
    expect(first.body.data.placeOrder.order.customer.email).toMatch(/@/);
    const fewer = await server.bearer({ sub: 'bff-service', scope: 'orders:read orders:write customers:read' });
    const replay = await server.queryAs({ ...fewer, 'idempotency-key': 'key-reauthorized' }, mutation, variables);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.data.placeOrder.order).toEqual({
      id: first.body.data.placeOrder.order.id,
      customer: { name: first.body.data.placeOrder.order.customer.name, email: null },
    });
    expect(replay.body.errors).toEqual([
      expect.objectContaining({ path: ['placeOrder', 'order', 'customer', 'email'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
  });

  it('answers with the committed order when the holder died after its transaction committed', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const as = await shopper(7);
    const variables = { input: { items: [{ productId: product.globalId, quantity: 1 }] } };
    // The holder placed the order and recorded it, then died before storing its response.
    const placed = await server.queryAs(as, PLACE_ORDER, variables);
    const orderId = placed.body.data.placeOrder.order.id as string;
    const store = new IdempotencyStore(server.db.prisma, { ttlMs: 3_600_000, leaseMs: 1_000, waitMs: 0 });
    const held = await store.claim(
      {
        clientKey: 'user:customer-7',
        key: 'key-crashed-after-commit',
        requestHash: hashRequest(PLACE_ORDER, undefined, variables),
        viewerScope: JSON.stringify(rowScopeOf(viewerOf(7))),
      },
      Date.now() + 1_000,
    );
    if (!('claim' in held)) throw new Error('expected a claim');
    await server.db.prisma.idempotencyEffect.create({
      data: { keyId: held.claim.id, fieldKey: 'placeOrder', resource: 'Order', resourceId: databaseIdOf(orderId) },
    });
    const retry = await server.queryAs({ ...as, 'idempotency-key': 'key-crashed-after-commit' }, PLACE_ORDER, variables);
    expect(retry.body.data.placeOrder.order.id).toBe(orderId);
    expect(await ordersOf(product.id)).toBe(1);
    // Its outcome is now stored: a further retry is a plain replay.
    const again = await server.queryAs({ ...as, 'idempotency-key': 'key-crashed-after-commit' }, PLACE_ORDER, variables);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.placeOrder.order.id).toBe(orderId);
  });
});

const databaseIdOf = (globalId: string) => Number(Buffer.from(globalId, 'base64url').toString().split(':')[1]);
