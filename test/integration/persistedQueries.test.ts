import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { describeIf } from '../helpers/conditions';
import { createTestServer, firstError, jsonOf, type TestServer } from '../helpers/testServer';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });
const TRACE_ID = /^[0-9a-f]{32}$/;

/** Both stores: in-process always; Redis when REDIS_URL is set (CI's PostgreSQL pass), as for rate limiting. */
const stores: Array<[string, Record<string, string>]> = [['in-process', {}]];
if (process.env.REDIS_URL) stores.push(['Redis', { REDIS_URL: process.env.REDIS_URL }]);

describe.each(stores)('automatic persisted queries (%s store)', (_store, storeEnv) => {
  let server: TestServer;
  let admin: Record<string, string>;
  // A prefix and documents of this run's own: runs sharing a Redis never see each other's.
  const run = randomUUID().replaceAll('-', '');
  const prefix = `test:${run}:`;
  const document = (name: string) => `query ${name}_${run} { products(first: 2) { edges { node { sku } } } }`;

  const post = async (body: unknown, headers: Record<string, string> = admin) => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: await jsonOf(response) };
  };
  const get = async (params: Record<string, string>) => {
    const response = await fetch(`${server.url}?${new URLSearchParams(params)}`, { headers: { 'apollo-require-preflight': 'true', ...admin } });
    return { status: response.status, headers: response.headers, body: await jsonOf(response) };
  };

  beforeAll(async () => {
    server = await createTestServer({ ...storeEnv, PERSISTED_QUERIES_REDIS_PREFIX: prefix, PERSISTED_QUERIES_TTL_S: '600', MAX_DOCUMENT_BYTES: '2000' });
    admin = await server.bearer({ roles: ['admin'] });
  });
  afterAll(() => server.close());

  it('answers an unknown hash PERSISTED_QUERY_NOT_FOUND, registers it by POST, then serves GET with the hash only', async () => {
    const query = document('RoundTrip');
    const miss = await post({ extensions: persisted(query) });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');
    expect(miss.body.data).toBeUndefined();
    expect(miss.body.errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND', traceId: expect.stringMatching(TRACE_ID) });
    expect(miss.body.errors[0].extensions.traceId).toBe(miss.headers.get('x-trace-id'));

    const registered = await post({ query, extensions: persisted(query) });
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data.products.edges).toHaveLength(2);

    const hit = await get({ extensions: JSON.stringify(persisted(query)) });
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual({ data: registered.body.data, extensions: expect.any(Object) });
    const byPost = await post({ extensions: persisted(query) });
    expect(byPost.body.data).toEqual(registered.body.data);
    // An empty query with the hash (what graphql-ws clients must send) is a hash alone.
    expect((await post({ query: '', extensions: persisted(query) })).body.data).toEqual(registered.body.data);
  });

  it('registers nothing that does not validate, nor under a hash that is not its own', async () => {
    const invalid = `query Invalid_${run} { nope }`;
    const refused = await post({ query: invalid, extensions: persisted(invalid) });
    expect(refused.status).toBe(400);
    expect(firstError(refused).extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(firstError(await post({ extensions: persisted(invalid) })).extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const claimed = sha256(`query Claimed_${run} { __typename }`);
    const mismatch = await post({ query: document('Other'), extensions: { persistedQuery: { version: 1, sha256Hash: claimed } } });
    expect(mismatch.status).toBe(400);
    expect(firstError(mismatch).extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(firstError(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: claimed } } })).extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('registers nothing the policies refuse, nor a document over MAX_DOCUMENT_BYTES', async () => {
    const tooDeep = `query Deep_${run} { orders { edges { node { customer { orders { edges { node { customer { orders { edges { node { customer { orders { edges { node { id } } } } } } } } } } } } } } } }`;
    const refused = await post({ query: tooDeep, extensions: persisted(tooDeep) });
    expect(firstError(refused).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' });
    expect(firstError(await post({ extensions: persisted(tooDeep) })).extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const large = `query Large_${run} { products(first: 1) { totalCount } } # ${'x'.repeat(2_000)}`;
    const tooLarge = await post({ query: large, extensions: persisted(large) });
    expect(tooLarge.status).toBe(413);
    expect(firstError(tooLarge).extensions.code).toBe('DOCUMENT_TOO_LARGE');
    expect(firstError(await post({ extensions: persisted(large) })).extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describeIf(Boolean(process.env.REDIS_URL), 'needs Redis (REDIS_URL)')('automatic persisted queries in Redis', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  const run = randomUUID().replaceAll('-', '');
  const prefix = `test:${run}:`;
  const document = (name: string) => `query ${name}_${run} { products(first: 2) { edges { node { sku } } } }`;
  const post = async (body: unknown) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await createTestServer({ REDIS_URL: process.env.REDIS_URL!, PERSISTED_QUERIES_REDIS_PREFIX: prefix, PERSISTED_QUERIES_TTL_S: '600' });
    admin = await server.bearer({ roles: ['admin'] });
  });
  afterAll(() => server.close());

  it('keeps each document in Redis under the prefix, with the TTL', async () => {
    const query = document('InRedis');
    const registered = await post({ query, extensions: persisted(query) });
    expect((await jsonOf(registered)).data.products.edges).toHaveLength(2);
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      // Apollo stores in the background once the operation resolved: wait for it.
      let stored: string | null = null;
      for (let i = 0; i < 50 && stored === null; i++) {
        stored = await redis.get(`${prefix}apq:${sha256(query)}`);
        if (stored === null) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect({ stored, keys: await redis.keys(`${prefix}*`) }).toEqual({ stored: query, keys: [`${prefix}apq:${sha256(query)}`] });
      const ttl = await redis.ttl(`${prefix}apq:${sha256(query)}`);
      expect(ttl).toBeGreaterThan(500);
      expect(ttl).toBeLessThanOrEqual(600);
      expect(await redis.keys(`${prefix}*`)).toEqual(expect.arrayContaining([`${prefix}apq:${sha256(query)}`]));
    } finally {
      await Promise.all((await redis.keys(`${prefix}*`)).map((key) => redis.del(key)));
      redis.disconnect();
    }
  });

  it('misses, never fails, while Redis does not answer', async () => {
    const unreachable = await createTestServer({ REDIS_URL: 'redis://127.0.0.1:1', PERSISTED_QUERIES_REDIS_PREFIX: prefix });
    try {
      const query = document('Unreachable');
      const miss = await unreachable.query('{ __typename }');
      expect(miss.status).toBe(200);
      const response = await fetch(unreachable.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin },
        body: JSON.stringify({ extensions: persisted(query) }),
      });
      expect(response.status).toBe(200);
      expect((await jsonOf(response)).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const registered = await fetch(unreachable.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin },
        body: JSON.stringify({ query, extensions: persisted(query) }),
      });
      expect(registered.status).toBe(200);
      expect((await jsonOf(registered)).data.products.edges).toHaveLength(2);
    } finally {
      await unreachable.close();
    }
  });
});

describe('PERSISTED_QUERIES=off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ PERSISTED_QUERIES: 'off' });
  });
  afterAll(() => server.close());

  it('answers a hash PERSISTED_QUERY_NOT_SUPPORTED, with the trace id, and still runs queries', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await server.bearer({ roles: ['admin'] })) },
      body: JSON.stringify({ extensions: persisted('{ __typename }') }),
    });
    const body = await jsonOf(response);
    expect(body.errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_SUPPORTED', traceId: expect.stringMatching(TRACE_ID) });
    expect((await server.query('{ __typename }')).body.data).toEqual({ __typename: 'Query' });
  });
});
