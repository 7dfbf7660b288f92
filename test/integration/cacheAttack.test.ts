import { createTestServer, type TestServer } from '../helpers/testServer';

/** Attacks on HTTP caching and the response cache that must not succeed. */
let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

const CATALOGUE = '{ products(first: 1) { edges { node { sku } } } }';
const get = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}?${new URLSearchParams({ query })}`, { headers: { 'apollo-require-preflight': 'true', ...headers } });

describe('a shared cache (CDN) keyed by URL and Vary', () => {
  it('never answers one Accept with the media type negotiated for another: Vary names accept', async () => {
    const graphqlResponse = await get(CATALOGUE, { accept: 'application/graphql-response+json' });
    const json = await get(CATALOGUE, { accept: 'application/json' });
    // Same URL, same credentials (none), two representations: a shared cache must key on Accept.
    expect(graphqlResponse.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('cache-control')).toMatch(/^public/);
    for (const response of [graphqlResponse, json]) {
      const vary = (response.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());
      expect(vary).toEqual(expect.arrayContaining(['accept', 'authorization', 'x-api-key']));
    }
  });
});

describe('the response cache under attack (these held)', () => {
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it('keys a multi-operation document by the operation asked for: switching operationName never serves the other one', async () => {
    const document = 'query A { products(first: 1) { edges { node { sku } } } } query B { products(first: 2) { edges { node { sku } } } }';
    for (const round of ['miss', 'hit']) {
      const a = await post({ query: document, operationName: 'A' });
      const b = await post({ query: document, operationName: 'B' });
      expect(a.body.extensions.cacheStatus).toBe(round);
      expect(b.body.extensions.cacheStatus).toBe(round);
      expect(a.body.data.products.edges).toHaveLength(1);
      expect(b.body.data.products.edges).toHaveLength(2);
    }
  });

  it('never answers an anonymous viewer from an entry that mixed introspection into a catalogue query for a schema:read viewer', async () => {
    const query = '{ __schema { queryType { name } } products(first: 1) { edges { node { sku } } } }';
    const reader = await server.bearer({ scope: 'schema:read' });
    expect((await post({ query }, reader)).body.extensions.cacheStatus).toBe('miss');
    expect((await post({ query }, reader)).body.extensions.cacheStatus).toBe('hit');
    const anonymous = await post({ query });
    expect(anonymous.body.data).toBeUndefined();
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
  });

  it('answers If-None-Match: * with the body when the response is not cacheable (orders), and never 304', async () => {
    const admin = await server.bearer({ roles: ['admin'] });
    const response = await get('{ orders(first: 1) { edges { node { id } } } }', { ...admin, 'if-none-match': '*' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('etag')).toBeNull();
    expect(((await response.json()) as any).data.orders.edges).toHaveLength(1);
  });

  it('does not cache a product looked up by the id of another type (BAD_USER_INPUT): errors are never stored', async () => {
    const query = `{ product(id: "${Buffer.from('Order:1').toString('base64url')}") { sku } }`;
    for (let i = 0; i < 2; i++) {
      const response = await post({ query });
      expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(response.body.extensions.cacheStatus).toBe('miss');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });
});
