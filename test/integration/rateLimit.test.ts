import { randomUUID } from 'node:crypto';
import { createApiKey } from '../../src/auth/apiKeys';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

const QUERY = `query($first: Int) { products(first: $first) { edges { node { sku } } } }`; // 1 + first x 2

/** Both stores: in-process always; Redis when REDIS_URL is set (CI's PostgreSQL pass). */
const stores: Array<[string, Record<string, string>]> = [['in-process', {}]];
if (process.env.REDIS_URL) stores.push(['Redis', { REDIS_URL: process.env.REDIS_URL }]);

describe.each(stores)('rate limiting (%s buckets)', (_store, storeEnv) => {
  let server: TestServer;
  let key: string;
  let tier: string;
  beforeAll(async () => {
    // A tier of its own, and a fresh API key per run, so runs sharing a Redis never meet.
    tier = `test-${randomUUID()}`;
    server = await createTestServer({
      ...storeEnv,
      RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}:`,
      RATE_LIMIT: 'on',
      MAX_COST: '150',
      RATE_LIMIT_TIERS: JSON.stringify({ [tier]: { bucketSize: 100, restoreRate: 10 }, anonymous: { bucketSize: 30, restoreRate: 1 } }),
    });
    ({ key } = await createApiKey(server.db.prisma, { clientName: 'rate-test', scopes: [], rateTier: tier }));
  });
  afterAll(() => server.close());

  it('charges the estimate, refunds what was not used, and reports the throttle status', async () => {
    const first = await server.queryAs({ 'x-api-key': key }, QUERY, { first: 20 }); // estimate 41
    expect(first.status).toBe(200);
    const { cost } = first.body.extensions;
    expect(cost.requestedQueryCost).toBe(41);
    expect(cost.actualQueryCost).toBe(41);
    expect(cost.throttleStatus).toEqual({ maximumAvailable: 100, currentlyAvailable: 59, restoreRate: 10 });
  });

  it('answers 429 RATE_LIMITED with Retry-After once the bucket is short, without executing', async () => {
    let response = await server.queryAs({ 'x-api-key': key }, QUERY, { first: 45 }); // 91
    for (let i = 0; i < 3 && response.status === 200; i++) response = await server.queryAs({ 'x-api-key': key }, QUERY, { first: 45 });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(firstError(response).extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 91 });
    expect(response.body.data).toBeUndefined();
    expect(response.body.extensions.cost.throttleStatus.maximumAvailable).toBe(100);
  });

  it('takes one point, not its cost, for an operation refused as too complex', async () => {
    const { key: fresh } = await createApiKey(server.db.prisma, { clientName: 'complex-test', scopes: [], rateTier: tier });
    const refused = await server.queryAs({ 'x-api-key': fresh }, QUERY, { first: 100 }); // 201 > MAX_COST 150
    expect(firstError(refused).extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(refused.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(99);
    const next = await server.queryAs({ 'x-api-key': fresh }, QUERY, { first: 1 });
    expect(next.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(96);
  });

  it('reports the throttle status on a response refused by validation, taking one point', async () => {
    const { key: fresh } = await createApiKey(server.db.prisma, { clientName: 'invalid-test', scopes: [], rateTier: tier });
    const invalid = await server.queryAs({ 'x-api-key': fresh }, '{ nope }');
    expect(invalid.status).toBe(400);
    expect(invalid.body.extensions.cost.throttleStatus).toEqual({ maximumAvailable: 100, currentlyAvailable: 99, restoreRate: 10 });
  });

  it('charges a refused document by its size, and refuses a client with an empty bucket before parsing anything', async () => {
    const { key: fresh } = await createApiKey(server.db.prisma, { clientName: 'refused-test', scopes: [], rateTier: tier });
    const invalid = `{ nope } # ${'x'.repeat(2_900)}`; // about 3 KB: 30 points
    const refused = await server.queryAs({ 'x-api-key': fresh }, invalid);
    expect(refused.status).toBe(400);
    expect(refused.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThanOrEqual(71);
    for (let i = 0; i < 3; i++) await server.queryAs({ 'x-api-key': fresh }, invalid);
    const blocked = await server.queryAs({ 'x-api-key': fresh }, '{ this is not GraphQL');
    expect(blocked.status).toBe(429);
    expect(firstError(blocked).extensions.code).toBe('RATE_LIMITED');
  });

  it('refuses an operation costing more than the whole bucket as QUERY_TOO_COMPLEX, not a 429 no wait would cure', async () => {
    const result = await server.queryAs(null, QUERY, { first: 20 }); // 41 points, anonymous bucket of 30
    expect(result.status).toBe(400);
    expect(firstError(result).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 41, maximumCost: 30 });
  });

  it('refunds an overestimate: a page shorter than asked for costs only what it returned', async () => {
    const { key: fresh } = await createApiKey(server.db.prisma, { clientName: 'refund-test', scopes: [], rateTier: tier });
    // The search matches 10 products: estimated 1 + 40 x 2 = 81, actual 1 + 10 x 2 = 21.
    const query = `{ products(first: 40, filter: { search: "sku-0001" }) { edges { node { sku } } } }`;
    const result = await server.queryAs({ 'x-api-key': fresh }, query);
    expect(result.body.extensions.cost).toMatchObject({ requestedQueryCost: 81, actualQueryCost: 21 });
    expect(result.body.extensions.cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(79);
    // 19 points were left after the charge: this 61-point query runs only because 60 came back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await server.queryAs({ 'x-api-key': fresh }, query.replace('first: 40', 'first: 30'));
    expect(next.status).toBe(200);
  });

  it('keys anonymous clients by IP address, in the anonymous tier', async () => {
    // A response of public data to an anonymous client is `public` (docs/caching.md): it says
    // nothing of the client's bucket; one of data that is not cacheable does.
    const node = await server.queryAs(null, `{ node(id: "UHJvZHVjdDox") { id } }`);
    expect(node.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 30 });
    const anonymous = await server.queryAs(null, `{ products(first: 10) { edges { node { sku } } } }`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('cache-control')).toMatch(/^public/);
    expect(anonymous.body.extensions.cost.throttleStatus).toBeUndefined();
    const again = await server.queryAs(null, `{ products(first: 10) { edges { node { sku } } } }`);
    expect(again.status).toBe(429); // 1 + 21 + 21 > 30: anonymous clients are keyed by IP address
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('rate limiting when Redis is unreachable', () => {
  it('falls back to per-process buckets: requests are limited, never failed or hung', async () => {
    const server = await createTestServer({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT: 'on',
      RATE_LIMIT_TIERS: JSON.stringify({ user: { bucketSize: 50, restoreRate: 1 } }),
    });
    try {
      const started = Date.now();
      const ok = await server.query(QUERY, { first: 20 });
      expect(ok.status).toBe(200);
      expect(ok.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(9);
      const limited = await server.query(QUERY, { first: 20 });
      expect(limited.status).toBe(429);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });
});
