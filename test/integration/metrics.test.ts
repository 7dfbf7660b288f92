import { createStockedProduct, nestedOrdersQuery, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, jsonOf, type TestServer } from '../helpers/testServer';

/**
 * GET /metrics after the kinds of requests the README shows: every series docs/operations.md
 * lists is there, with values that follow from the requests sent.
 */
let server: TestServer;
let metricsUrl: string;
beforeAll(async () => {
  server = await createTestServer({
    RATE_LIMIT: 'on',
    RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { bucketSize: 30, restoreRate: 0.001 } }),
    METRICS_MAX_OPERATIONS: '20',
  });
  metricsUrl = server.server.metricsUrl!;
});
afterAll(() => server.close());

async function scrape(url = metricsUrl, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of the one sample of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const NESTED_ORDERS = nestedOrdersQuery('OrderHistory');

describe('GET /metrics', () => {
  it('shows per-operation durations, SQL, batches, cost, errors, refusals, replays, deprecations and the runtime', async () => {
    const webShop = { 'apollographql-client-name': 'web-shop', 'apollographql-client-version': '1.0.0' };
    for (let i = 0; i < 3; i += 1) expect((await server.query(NESTED_ORDERS, { first: 10 }, webShop)).body.errors).toBeUndefined();
    await server.query('{ order(id: "nope") { id } }'); // BAD_USER_INPUT: a client error
    await server.query('{ orders(first: 1) { edges { node { totalCents } } } }'); // deprecated
    await server.query('{ nope }'); // GRAPHQL_VALIDATION_FAILED, before any operation is known
    // Anonymous requests drain a 30-point bucket that does not refill: refused by tier.
    for (let i = 0; i < 6; i += 1) await server.queryAs(null, '{ products(first: 5) { edges { node { sku } } } }');
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 7, sub: 'customer-7' });
    const product = await createStockedProduct(server, { 1: 10 });
    const place = () =>
      server.queryAs({ ...shopper, 'idempotency-key': 'metrics-replay' }, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } });
    await place();
    expect((await place()).headers.get('idempotent-replayed')).toBe('true');

    const text = await scrape();
    const history = { operation: 'OrderHistory', type: 'query', client: 'web-shop' };
    expect(sample(text, 'gateway_operation_duration_seconds_count', { ...history, outcome: 'ok' })).toBe(3);
    expect(sample(text, 'gateway_operation_duration_seconds_bucket', { ...history, outcome: 'ok', le: '+Inf' })).toBe(3);
    expect(sample(text, 'gateway_operation_duration_seconds_sum', { ...history, outcome: 'ok' })).toBeGreaterThan(0);
    // 6 statements each: the nested page's structural cost.
    expect(sample(text, 'gateway_operation_sql_statements_sum', { operation: 'OrderHistory', client: 'web-shop' })).toBe(18);
    expect(sample(text, 'gateway_operation_sql_statements_bucket', { operation: 'OrderHistory', client: 'web-shop', le: '5' })).toBe(0);
    expect(sample(text, 'gateway_operation_sql_statements_bucket', { operation: 'OrderHistory', client: 'web-shop', le: '6' })).toBe(3);
    expect(sample(text, 'gateway_operation_dataloader_batches_sum', { operation: 'OrderHistory' })).toBe(15);
    expect(sample(text, 'gateway_dataloader_batch_size_count')).toBeGreaterThanOrEqual(15);
    expect(sample(text, 'gateway_operation_cost_estimated_count', { operation: 'OrderHistory', client: 'web-shop' })).toBe(3);
    const actual = sample(text, 'gateway_operation_cost_actual_sum', { operation: 'OrderHistory', client: 'web-shop' })!;
    expect(actual).toBeGreaterThan(30);
    expect(actual).toBeLessThan(sample(text, 'gateway_operation_cost_estimated_sum', { operation: 'OrderHistory', client: 'web-shop' })!);

    expect(sample(text, 'gateway_operation_duration_seconds_count', { operation: '(anonymous)', outcome: 'client_error' })).toBe(1);
    expect(sample(text, 'gateway_operation_duration_seconds_count', { operation: '(none)', type: 'unknown', outcome: 'client_error' })).toBe(1);
    expect(sample(text, 'gateway_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(text, 'gateway_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, 'gateway_errors_total', { code: 'RATE_LIMITED' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gateway_rate_limit_refusals_total', { tier: 'anonymous' })).toBe(sample(text, 'gateway_errors_total', { code: 'RATE_LIMITED' }));
    expect(sample(text, 'gateway_operation_duration_seconds_count', { outcome: 'refused' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gateway_deprecated_field_usage_total', { coordinate: 'Order.totalCents', client: 'unknown' })).toBe(1);
    expect(sample(text, 'gateway_idempotency_replays_total')).toBe(1);
    expect(sample(text, 'gateway_operation_duration_seconds_count', { operation: 'Place', type: 'mutation', outcome: 'ok' })).toBe(2);

    expect(sample(text, 'gateway_db_pool_connections', { state: 'max' })).toBe(10);
    expect(sample(text, 'gateway_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'gateway_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gateway_outbox_backlog')).toBeGreaterThanOrEqual(1); // order.placed, not published without NATS here
    expect(sample(text, 'gateway_outbox_dead_letters')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'gateway_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'gateway_websocket_connections')).toBe(0);
    expect(sample(text, 'gateway_websocket_operations')).toBe(0);
    for (const runtime of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'process_cpu_seconds_total']) {
      expect(sample(text, runtime)).toBeGreaterThan(0);
    }
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });

  it('answers GET only, and is not a GraphQL operation (no series of its own)', async () => {
    const post = await fetch(metricsUrl, { method: 'POST' });
    expect(post.status).toBe(405);
    expect((await jsonOf(post)).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(await scrape()).not.toContain('operation="metrics"');
  });
});

describe('where /metrics is served', () => {
  it('behind METRICS_TOKEN: 401 without the bearer token, the metrics with it', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await createTestServer({ METRICS_TOKEN: token });
    try {
      const refused = await fetch(guarded.server.metricsUrl!);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Bearer');
      expect((await jsonOf(refused)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await fetch(guarded.server.metricsUrl!, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      expect(await scrape(guarded.server.metricsUrl!, { authorization: `Bearer ${token}` })).toContain('gateway_operation_duration_seconds');
    } finally {
      await guarded.close();
    }
  });

  it('on METRICS_PORT: there only, not on the GraphQL port', async () => {
    const separate = await createTestServer({ METRICS_PORT: '0' });
    try {
      expect(new URL(separate.server.metricsUrl!).port).not.toBe(new URL(separate.url).port);
      expect(await scrape(separate.server.metricsUrl!)).toContain('gateway_operation_duration_seconds');
      const onGraphQLPort = await fetch(new URL('/metrics', separate.url));
      expect(onGraphQLPort.status).toBe(404);
      const graphqlOnMetricsPort = await fetch(new URL('/graphql', separate.server.metricsUrl!), { method: 'POST' });
      expect(graphqlOnMetricsPort.status).toBe(404);
    } finally {
      await separate.close();
    }
  });

  it('in production with neither: not served; with METRICS=off: nothing is recorded', async () => {
    const settings: Array<Record<string, string>> = [{ NODE_ENV: 'production', JWT_SECRET: '' }, { METRICS: 'off' }];
    for (const env of settings) {
      const closed = await createTestServer(env);
      try {
        expect(closed.server.metricsUrl).toBeUndefined();
        expect((await fetch(new URL('/metrics', closed.url))).status).toBe(404);
        expect((await closed.queryAs(null, '{ products(first: 1) { totalCount } }')).status).toBe(200);
      } finally {
        await closed.close();
      }
    }
  });
});
