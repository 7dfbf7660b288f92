import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

/**
 * Queries and mutations run compiled (graphql-jit), once per operation of a document, over
 * HTTP and WebSocket; graphql-js answers what graphql-jit does not (an unknown operation name,
 * variables that do not coerce). The behaviour the other suites check is graphql-js's: here,
 * that the compiled path is the one taken, and taken once.
 */
describe('compiled execution', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(() => server.close());

  it('compiles an operation once, however often it runs, and answers as graphql-js would', async () => {
    const query = 'query Page($first: Int) { orders(first: $first) { edges { node { id status items { quantity product { sku } } } } } }';
    const before = { ...server.server.execution };
    for (const first of [1, 2, 3]) {
      const result = await server.query(query, { first });
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data.orders.edges).toHaveLength(first);
    }
    expect(server.server.execution.compiled - before.compiled).toBe(1);
    expect(server.server.execution.interpreted).toBe(before.interpreted);
  });

  it('compiles nothing for operation names the document does not hold, and refuses them as graphql-js does', async () => {
    const before = { ...server.server.execution };
    for (const name of ['A', 'B', 'x'.repeat(10_000)]) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await server.bearer({ roles: ['admin'] })) },
        body: JSON.stringify({ query: '{ warehouses { code } }', operationName: name }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
    expect(server.server.execution).toEqual(before);
  });

  it('answers variables that do not coerce with graphql-js errors: 400 BAD_USER_INPUT', async () => {
    const result = await server.query('query($first: Int) { orders(first: $first) { totalCount } }', { first: 'ten' });
    expect(result.status).toBe(400);
    expect(firstError(result).extensions.code).toBe('BAD_USER_INPUT');
    expect(firstError(result).message).toMatch(/^Variable "\$first" got invalid value "ten"/);
  });

  it('keeps a resolver error coded, located and at its path, with the rest of the data', async () => {
    const result = await server.query('{ warehouses { code } order(id: "T3JkZXI6OTk5OTk5") { id } }');
    expect(result.body.data.warehouses.length).toBeGreaterThan(0);
    expect(result.body.data.order).toBeNull();
    expect(firstError(result)).toMatchObject({ path: ['order'], locations: [{ line: 1, column: 23 }], extensions: { code: 'NOT_FOUND' } });
  });
});
