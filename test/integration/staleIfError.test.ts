import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embeddedDatabase';
import { connectDatabase } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrations';
import { startFreezableProxy, type FreezableProxy } from '../helpers/freezableProxy';
import { DEFAULT_DATABASE_TIMEOUTS } from '../helpers/testDatabases';
import { createTestServer, type TestServer } from '../helpers/testServer';

/**
 * stale-if-error: with its database gone, the gateway answers a public query from a cached
 * response past its max-age (within STALE_IF_ERROR_SECONDS), says so, and answers the rest with
 * SERVICE_UNAVAILABLE. The database is a throwaway embedded instance of the test's own, reached
 * through a proxy that goes away mid-test (every connection reset, new ones refused: a server
 * that stopped); the response cache's clock is the test's.
 */
let database: EmbeddedDatabase;
let proxy: FreezableProxy;
let server: TestServer;
let now = Date.parse('2026-11-27T12:00:00Z');

const CATALOGUE = '{ products(first: 5) { edges { node { sku name price { amount currency } } } } }';

beforeAll(async () => {
  database = await startEmbeddedDatabase(null);
  const setup = connectDatabase({ connectionString: database.connectionString, poolSize: 1, timeouts: DEFAULT_DATABASE_TIMEOUTS });
  await applyMigrations(setup.pool);
  await setup.prisma.product.create({ data: { sku: 'STALE-1', name: 'Kept while the database is away', priceCents: 1_250, currency: 'EUR' } });
  await setup.close();
  proxy = await startFreezableProxy(database.connectionString);
  server = await createTestServer({ DATABASE_URL: proxy.url, STALE_IF_ERROR_SECONDS: '600' }, { clock: () => now });
});
afterAll(async () => {
  await server.close();
  // The proxy's connections must be gone before the database stops (it waits for its clients).
  await proxy.close();
  await database.stop();
});

it('serves the cached catalogue, past its max-age, while the database is down, then gives up after the stale window', async () => {
  const fresh = await server.queryAs(null, CATALOGUE);
  expect(fresh.body.data.products.edges).toEqual([
    { node: { sku: 'STALE-1', name: 'Kept while the database is away', price: { amount: 1250, currency: 'EUR' } } },
  ]);
  // Shared caches get at most the max-age again; the gateway's own window is STALE_IF_ERROR_SECONDS.
  expect(fresh.headers.get('cache-control')).toBe('public, max-age=300, stale-if-error=300');

  await proxy.close();
  now += 301_000; // past the catalogue's max-age of 300 s

  const stale = await server.queryAs(null, CATALOGUE);
  expect(stale.status).toBe(200);
  expect(stale.body.errors).toBeUndefined();
  expect(stale.body.data).toEqual(fresh.body.data);
  expect(stale.body.extensions.cacheStatus).toBe('stale');
  expect(stale.body.extensions.warnings).toEqual([expect.objectContaining({ code: 'STALE_RESPONSE', ageSeconds: 301 })]);
  // Stale data is not handed on to other caches; its age is said, as for a hit.
  expect(stale.headers.get('cache-control')).toBe('no-store');
  expect(stale.headers.get('age')).toBe('301');

  // What was never cached fails as it would without a cache.
  const uncached = await server.queryAs(null, '{ products(first: 1) { edges { node { sku } } } }');
  expect(uncached.status).toBe(503);
  expect(uncached.body.errors?.[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');

  now += 600_000; // past max-age + STALE_IF_ERROR_SECONDS
  const tooOld = await server.queryAs(null, CATALOGUE);
  expect(tooOld.status).toBe(503);
  expect(tooOld.body.errors?.[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
}, 60_000);
