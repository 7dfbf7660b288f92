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
