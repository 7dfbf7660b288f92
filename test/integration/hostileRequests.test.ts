import { createHash } from 'node:crypto';
import { createTestServer, jsonOf, type TestServer } from '../helpers/testServer';
import { signToken } from '../helpers/tokens';

/**
 * What a prober sends. Every request gets a clean 4xx, or a GraphQL error with a code, and
 * never a 500; the server answers normally afterwards.
 */
let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ RATE_LIMIT: 'on', RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { bucketSize: 1e9, restoreRate: 1e6 } }) });
});
afterAll(() => server.close());

type Probe = { body?: string; method?: string; headers?: Record<string, string>; search?: string };
const json = { 'content-type': 'application/json' };
const gql = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
const nested = (depth: number) => `{ ${'orders { edges { node { customer { '.repeat(depth)} id ${'} } } } '.repeat(depth)} }`;

const PROBES: Array<[string, () => Promise<Probe> | Probe, number, string]> = [
  ['deep nesting', () => ({ body: gql(nested(4)), headers: json }), 400, 'GRAPHQL_VALIDATION_FAILED'],
  [
    'an alias bomb',
    () => ({ body: gql(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: products { totalCount }`).join(' ')} }`), headers: json }),
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a fragment cycle',
    () => ({ body: gql('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'), headers: json }),
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a fragment bomb',
    () => ({
      body: gql(
        `{ ...F0 } ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F30 on Query { products { totalCount } }`,
      ),
      headers: json,
    }),
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['a huge string argument', () => ({ body: gql(`{ product(sku: "${'x'.repeat(2_000_000)}") { id } }`), headers: json }), 413, 'PAYLOAD_TOO_LARGE'],
  [
    'a huge string variable',
    () => ({ body: gql('query($s: String) { products(filter: { search: $s }) { totalCount } }', { s: 'x'.repeat(500_000) }), headers: json }),
    200,
    'BAD_USER_INPUT',
  ],
  [
    'a huge list of ids',
    () => ({ body: gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 20_000 }, (_, i) => `id${i}`) }), headers: json }),
    400,
    'QUERY_TOO_COMPLEX',
  ],
  [
    'a giant batch',
    () => ({ body: JSON.stringify(Array.from({ length: 1_000 }, () => ({ query: '{ products { totalCount } }' }))), headers: json }),
    400,
    'BATCH_TOO_LARGE',
  ],
  ['invalid JSON', () => ({ body: '{"query": "{ products { totalCount } }"', headers: json }), 400, 'BAD_REQUEST'],
  ['JSON that is not an object', () => ({ body: '"{ products { totalCount } }"', headers: json }), 400, 'BAD_REQUEST'],
  ['a wrong content type', () => ({ body: '{ products { totalCount } }', headers: { 'content-type': 'application/graphql' } }), 400, 'BAD_REQUEST'],
  ['form data (a cross-site request)', () => ({ body: 'query=%7B%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'BAD_REQUEST'],
  ['an oversized body', () => ({ body: 'x'.repeat(2_000_000), headers: json }), 413, 'PAYLOAD_TOO_LARGE'],
  ['a query that is not a string', () => ({ body: JSON.stringify({ query: 42 }), headers: json }), 400, 'BAD_REQUEST'],
  [
    'variables that are not an object',
    () => ({ body: JSON.stringify({ query: '{ products { totalCount } }', variables: [1] }), headers: json }),
    400,
    'BAD_REQUEST',
  ],
  [
    'a mutation over GET',
    () => ({
      method: 'GET',
      search: `?query=${encodeURIComponent('mutation { cancelOrder(id: "x", reason: "r") { userErrors { code } } }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    }),
    405,
    'BAD_REQUEST',
  ],
  ['a malformed id', () => ({ body: gql('{ node(id: "\\u0001💥") { id } }'), headers: json }), 200, 'BAD_USER_INPUT'],
  ['a NUL character in an id', () => ({ body: gql('{ node(id: "\\u0000") { id } }'), headers: json }), 400, 'BAD_USER_INPUT'],
  ['a malformed cursor', () => ({ body: gql('{ products(after: "////") { totalCount } }'), headers: json }), 200, 'BAD_USER_INPUT'],
  [
    'a malformed bearer token',
    () => ({ body: gql('{ products { totalCount } }'), headers: { ...json, authorization: 'Bearer ey.ey.ey' } }),
    401,
    'UNAUTHENTICATED',
  ],
  [
    'a token with alg none',
    () => ({
      body: gql('{ products { totalCount } }'),
      headers: {
        ...json,
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","roles":["admin"]}').toString('base64url')}.`,
      },
    }),
    401,
    'UNAUTHENTICATED',
  ],
  [
    'an expired token',
    async () => ({
      body: gql('{ products { totalCount } }'),
      headers: { ...json, authorization: `Bearer ${await signToken({ roles: ['admin'] }, { expiresIn: '-1h' })}` },
    }),
    401,
    'UNAUTHENTICATED',
  ],
  [
    'a wrongly signed token',
    async () => ({
      body: gql('{ products { totalCount } }'),
      headers: { ...json, authorization: `Bearer ${await signToken({ roles: ['admin'] }, { secret: 'a-completely-different-secret-of-enough-length' })}` },
    }),
    401,
    'UNAUTHENTICATED',
  ],
  ['a malformed API key', () => ({ body: gql('{ products { totalCount } }'), headers: { ...json, 'x-api-key': "' OR 1=1 --" } }), 401, 'UNAUTHENTICATED'],
  [
    'variables nested 10,000 levels deep',
    () => ({
      body: `{"query":"query($f: ProductFilter) { products(filter: $f) { totalCount } }","variables":{"f":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`,
      headers: json,
    }),
    400,
    'BAD_USER_INPUT',
  ],
  [
    'a NUL character in a variable',
    () => ({ body: gql('query($s: String) { products(filter: { search: $s }) { totalCount } }', { s: 'lamp\u0000' }), headers: json }),
    400,
    'BAD_USER_INPUT',
  ],
  [
    'an unpaired surrogate in a variable',
    () => ({ body: '{"query":"query($s: String) { products(filter: { search: $s }) { totalCount } }","variables":{"s":"\\ud800"}}', headers: json }),
    400,
    'BAD_USER_INPUT',
  ],
  [
    'an unpaired surrogate in an id variable',
    () => ({ body: '{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":"\\udc00x"}}', headers: json }),
    400,
    'BAD_USER_INPUT',
  ],
  [
    "an APQ hash that is not its query's",
    () => ({
      body: JSON.stringify({ query: '{ products { totalCount } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
      headers: json,
    }),
    400,
    'PERSISTED_QUERY_HASH_MISMATCH',
  ],
  [
    'an APQ of an unknown version',
    () => ({ body: JSON.stringify({ extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } }), headers: json }),
    400,
    'BAD_REQUEST',
  ],
  [
    'an APQ hash in upper case',
    () => ({
      body: JSON.stringify({
        query: '{ products { totalCount } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('{ products { totalCount } }').digest('hex').toUpperCase() } },
      }),
      headers: json,
    }),
    400,
    'PERSISTED_QUERY_HASH_MISMATCH',
  ],
  [
    'an APQ hash that is not a string',
    () => ({ body: JSON.stringify({ query: '{ products { totalCount } }', extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } }), headers: json }),
    400,
    'BAD_REQUEST',
  ],
  ['a subscription over HTTP', () => ({ body: gql('subscription { orderStatusChanged(orderId: "x") { status } }'), headers: json }), 400, 'BAD_REQUEST'],
  ['a JSON null body', () => ({ body: 'null', headers: json }), 400, 'BAD_REQUEST'],
  ['an empty batch', () => ({ body: '[]', headers: json }), 400, 'BAD_REQUEST'],
  [
    'variables as a JSON-encoded string',
    () => ({ body: JSON.stringify({ query: '{ products { totalCount } }', variables: '{}' }), headers: json }),
    400,
    'BAD_REQUEST',
  ],
  ['extensions as a list', () => ({ body: JSON.stringify({ query: '{ products { totalCount } }', extensions: [] }), headers: json }), 400, 'BAD_REQUEST'],
  [
    'GET with variables that are not JSON',
    () => ({
      method: 'GET',
      search: `?query=${encodeURIComponent('{ products { totalCount } }')}&variables=%7Bnope`,
      headers: { 'apollo-require-preflight': 'true' },
    }),
    400,
    'BAD_REQUEST',
  ],
  [
    'a 900 KB operation name',
    () => ({ body: JSON.stringify({ query: '{ products { totalCount } }', operationName: 'x'.repeat(900_000) }), headers: json }),
    400,
    'OPERATION_RESOLUTION_FAILURE',
  ],
  ['an unknown field', () => ({ body: gql('{ passwords }'), headers: json }), 400, 'GRAPHQL_VALIDATION_FAILED'],
  ['an introspection probe outside development', () => ({ body: gql('{ __schema { types { name } } }'), headers: json }), 401, 'UNAUTHENTICATED'],
];

describe('hostile requests', () => {
  it.each(PROBES)('answers %s cleanly', async (_name, probe, status, code) => {
    const { body, method = 'POST', headers = {}, search = '' } = await probe();
    const response = await fetch(server.url + search, { method, headers, body });
    const payload = await jsonOf(response);
    expect(response.status).toBe(status);
    expect(payload.errors?.[0]?.extensions?.code).toBe(code);
    expect(JSON.stringify(payload)).not.toMatch(/stacktrace|\.ts:\d+|at Object\.|SELECT |prisma/i);
    expect(payload.errors[0].message.length).toBeLessThanOrEqual(501); // messages that echo input are cut
    expect(payload.errors[0].extensions.traceId).toBe(response.headers.get('x-trace-id'));
    const health = await server.query('{ products(first: 1) { totalCount } }');
    expect(health.body.data.products.totalCount).toBeGreaterThan(0);
  });
});
