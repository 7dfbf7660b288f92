import { createHash } from 'node:crypto';
import { createStockedProduct, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, jsonOf, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

const CATALOGUE = /* GraphQL */ `
  query Catalogue($first: Int) {
    products(first: $first) {
      edges {
        node {
          id
          sku
          name
          price {
            amount
            currency
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`;

/** A query by GET, as a CDN or a browser sends it (the preflight header: see the CSRF rule). */
function get(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const url = new URL(server.url);
  url.searchParams.set('query', query);
  if (variables) url.searchParams.set('variables', JSON.stringify(variables));
  return fetch(url, { headers: { 'apollo-require-preflight': 'true', ...headers } });
}

describe('Cache-Control from @cacheControl', () => {
  it('serves a public catalogue query by GET with Cache-Control: public, max-age and a strong ETag, then 304 on If-None-Match', async () => {
    const first = await get(CATALOGUE, { first: 3 });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300, stale-if-error=300');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('vary')).toBe('accept, authorization, x-api-key');
    const body = await jsonOf(first);
    expect(body.data.products.edges).toHaveLength(3);
    // A public response carries nothing about its client: no throttle status, whatever the rate limit.
    expect(body.extensions.cost.throttleStatus).toBeUndefined();
    // Nor its trace: shared caches would serve it to every reader, and a client can choose it.
    const traced = await get(CATALOGUE, { first: 3 }, { traceparent: '00-deadbeefdeadbeefdeadbeefdeadbeef-1111111111111111-01' });
    expect(traced.headers.get('cache-control')).toMatch(/^public/);
    expect(traced.headers.get('x-trace-id')).toBeNull();
    expect(traced.headers.get('traceparent')).toBeNull();
    const scoped = await server.query('{ products(first: 1) { edges { node { sku } } } }');
    expect(scoped.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);

    const again = await get(CATALOGUE, { first: 3 }, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=300, stale-if-error=300');

    const other = await get(CATALOGUE, { first: 3 }, { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).toBe(etag);
  });

  it('takes the smallest maxAge of the selection: stock is fresh for 30 s, the catalogue for 300', async () => {
    const product = await createStockedProduct(server, { 1: 4 });
    const response = await get('query Stock($sku: String) { product(sku: $sku) { sku totalAvailable } }', { sku: product.sku });
    // A shared cache, which no invalidation reaches, may serve stock stale for at most as long again.
    expect(response.headers.get('cache-control')).toBe('public, max-age=30, stale-if-error=30');
  });

  it('is never public for a query touching an order, alone or beside public data', async () => {
    for (const query of [
      '{ orders(first: 1) { edges { node { id status } } } }',
      '{ products(first: 1) { edges { node { sku } } } orders(first: 1) { edges { node { id } } } }',
      '{ node(id: "Q3VzdG9tZXI6MQ") { id ... on Customer { name } } }',
      '{ customer(id: "Q3VzdG9tZXI6MQ") { name } }',
    ]) {
      const response = await server.query(query);
      expect(response.body.errors).toBeUndefined();
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('etag')).toBeNull();
    }
  });

  it('makes public data private for an authenticated viewer, and scoped data private for everyone', async () => {
    const admin = await server.query('{ products(first: 1) { edges { node { sku } } } }');
    expect(admin.headers.get('cache-control')).toBe('private, max-age=300');
    const stock = await server.query('{ warehouses { code inventory(first: 1) { edges { node { onHand } } } } }');
    expect(stock.body.errors).toBeUndefined();
    expect(stock.headers.get('cache-control')).toBe('private, max-age=30');
    expect(stock.headers.get('etag')).toMatch(/^"/);
  });

  it('is no-store for errors, refusals, mutations and a selection of __typename alone', async () => {
    const denied = await server.queryAs(null, '{ warehouses { code } }');
    expect(denied.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(denied.headers.get('cache-control')).toBe('no-store');
    const invalid = await server.queryAs(null, '{ products { nope } }');
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    const product = await createStockedProduct(server, { 1: 5 });
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 3 });
    const placed = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } });
    expect(placed.body.data.placeOrder.userErrors).toEqual([]);
    expect(placed.headers.get('cache-control')).toBe('no-store');
    const typename = await server.queryAs(null, '{ __typename }');
    expect(typename.headers.get('cache-control')).toBe('no-store');
  });

  it('makes an automatic persisted query by GET, the hash alone in the URL, as cacheable as its text', async () => {
    const query = '{ products(first: 2) { edges { node { sku } } } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const byHash = () => {
      const url = new URL(server.url);
      url.searchParams.set('extensions', JSON.stringify(extensions));
      return fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    };
    expect((await jsonOf(await byHash())).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, extensions }),
    });
    expect(registered.status).toBe(200);
    const response = await byHash();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300, stale-if-error=300');
    expect((await jsonOf(response)).data.products.edges).toHaveLength(2);
  });

  it('refuses a mutation sent by GET with 405 and Allow: POST', async () => {
    const response = await get('mutation { cancelOrder(id: "x", reason: "y") { userErrors { code } } }');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await jsonOf(response);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
