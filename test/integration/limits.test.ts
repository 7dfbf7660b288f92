import { createTestServer, firstError, jsonOf, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({
    MAX_DEPTH: '6',
    MAX_ALIASES: '3',
    MAX_ROOT_FIELDS: '3',
    MAX_DIRECTIVES: '4',
    MAX_TOKENS: '300',
    MAX_DOCUMENT_BYTES: '2000',
    MAX_BATCH_SIZE: '2',
  });
});
afterAll(() => server.close());

const post = async (body: unknown) => {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await jsonOf(response) };
};

describe('operation limits', () => {
  it.each([
    ['depth', `{ orders { edges { node { items { product { inventory { warehouse { code } } } } } } } }`, 'maxDepth', /nested 8 levels deep; the limit is 6/],
    [
      'aliases',
      `{ a: product(sku: "x") { sku } b: product(sku: "y") { sku } c: product(sku: "z") { s: sku } d: products { totalCount } }`,
      'maxAliases',
      /uses aliases 5 times; the limit is 3/,
    ],
    [
      'root fields',
      `{ products { totalCount } p2: products { totalCount } warehouses { code } orders { totalCount } }`,
      'maxRootFields',
      /selects root fields 4 times; the limit is 3/,
    ],
    [
      'directives',
      `{ products { totalCount @include(if: true) @skip(if: false) pageInfo @include(if: true) { hasNextPage @skip(if: false) } edges @include(if: true) { cursor } } }`,
      'maxDirectives',
      /uses directives 5 times/,
    ],
    [
      'aliases through fragments',
      `{ ...A ...A } fragment A on Query { x: products { totalCount } y: products { totalCount } }`,
      'maxAliases',
      /uses aliases 4 times/,
    ],
  ])('rejects too many %s before execution with GRAPHQL_VALIDATION_FAILED', async (_name, query, limit, message) => {
    const result = await server.query(query);
    expect(result.status).toBe(400);
    expect(firstError(result).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit });
    expect(firstError(result).message).toMatch(message);
  });

  it('measures a fragment bomb in linear time and rejects it', async () => {
    const fragments = Array.from({ length: 12 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const result = await server.query(`{ ...F0 } ${fragments} fragment F12 on Query { a: products { totalCount } }`);
    expect(firstError(result).message).toMatch(/uses aliases 4096 times/);
  });

  it('rejects documents over the token limit while parsing', async () => {
    const result = await server.query(`{ products { totalCount ${'a '.repeat(320)} } }`);
    expect(result.status).toBe(400);
    expect(firstError(result).extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(firstError(result).message).toMatch(/more that 300 tokens/);
  });

  it('rejects an oversized document with 413 DOCUMENT_TOO_LARGE', async () => {
    const result = await post({ query: `{ products { totalCount } } # ${'x'.repeat(3000)}` });
    expect(result.status).toBe(413);
    expect(result.body.errors[0].extensions.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('answers a batch within the limit and refuses a larger one', async () => {
    const op = { query: '{ products(first: 1) { totalCount } }' };
    const ok = await post([op, op]);
    expect(ok.status).toBe(200);
    expect(ok.body).toHaveLength(2);
    const tooMany = await post([op, op, op]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({
      message: 'A batch may hold at most 2 operations; this one has 3.',
      extensions: { code: 'BATCH_TOO_LARGE' },
    });
  });

  it('gives no "Did you mean" suggestions outside development', async () => {
    const result = await server.query('{ product(sku: "x") { skus } }');
    expect(firstError(result).message).not.toMatch(/Did you mean/);
  });

  it('disables introspection outside development unless INTROSPECTION=on', async () => {
    const result = await server.query('{ __schema { queryType { name } } }', undefined, await server.bearer({ roles: ['support'] }));
    expect(result.status).toBe(403);
    expect(firstError(result).message).toMatch(/Introspection is not allowed here without the schema:read scope/);
    const open = await createTestServer({ INTROSPECTION: 'on' });
    try {
      expect((await open.query('{ __schema { queryType { name } } }')).body.data.__schema.queryType.name).toBe('Query');
    } finally {
      await open.close();
    }
  });
});
