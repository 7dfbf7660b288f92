import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { createApiKey } from '../../src/auth/apiKeys';
import { buildSchema } from '../../src/server/buildSchema';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';

/**
 * The standard introspection query, as GraphiQL, Apollo Sandbox, GraphQL Code Generator,
 * Postman and graphql-config send it, loads the schema wherever introspection is open: it is
 * not priced by the list cost model and takes one point from the rate-limit bucket, and it is
 * bounded by introspection's own limits instead.
 */
const served = printSchema(buildSchema());
const QUERIES: Array<[string, string]> = [
  ['without options', getIntrospectionQuery()],
  [
    'with every option',
    getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    }),
  ],
];

describe('introspection where it is open (development, or INTROSPECTION=on)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ INTROSPECTION: 'on', RATE_LIMIT: 'on' });
  });
  afterAll(() => server.close());

  it.each(QUERIES)('answers the standard introspection query %s with the served schema, unpriced', async (_name, query) => {
    const result = await server.queryAs(null, query);
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(printSchema(buildClientSchema(result.body.data as IntrospectionQuery))).toBe(served);
    expect(result.body.extensions.cost.requestedQueryCost).toBe(0);
    expect(result.body.extensions.cost.throttleStatus.maximumAvailable - result.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThanOrEqual(2);
  });

  it('answers it over WebSocket too', async () => {
    const ws = connectWebSocket(server.url, null);
    try {
      const { result } = await ws.run(getIntrospectionQuery());
      expect(printSchema(buildClientSchema(result?.data as IntrospectionQuery))).toBe(served);
    } finally {
      await ws.dispose();
    }
  });

  it("leaves graphql-js's own introspection depth rule in place", async () => {
    const result = await server.queryAs(null, '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
    expect(result.status).toBe(400);
    expect(firstError(result)).toMatchObject({ message: 'Maximum introspection depth exceeded', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it.each([
    ['lists of introspection types nested past three', '{ __schema { types { fields { args { type { inputFields { name } } } } } } }', 'maxIntrospectionLists'],
    ['ofType nested past ten', `{ __type(name: "Order") { ${'ofType { '.repeat(11)}name${' }'.repeat(11)} } }`, 'maxOfTypeDepth'],
  ])('refuses %s with GRAPHQL_VALIDATION_FAILED', async (_name, query, limit) => {
    const result = await server.queryAs(null, query);
    expect(result.status).toBe(400);
    expect(firstError(result).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit });
  });
});

describe('introspection where it is closed (production)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ INTROSPECTION: 'off' });
  });
  afterAll(() => server.close());

  it('refuses an anonymous client with 401 and a viewer without schema:read with 403', async () => {
    const anonymous = await server.queryAs(null, getIntrospectionQuery());
    expect(anonymous.status).toBe(401);
    expect(firstError(anonymous).extensions.code).toBe('UNAUTHENTICATED');
    const support = await server.queryAs(await server.bearer({ roles: ['support'] }), '{ __type(name: "Order") { name } }');
    expect(support.status).toBe(403);
    expect(firstError(support)).toMatchObject({ message: expect.stringMatching(/schema:read/), extensions: { code: 'FORBIDDEN' } });
  });

  it('answers a token or an API key with the schema:read scope', async () => {
    const token = await server.queryAs(await server.bearer({ scope: 'schema:read' }), getIntrospectionQuery());
    expect(printSchema(buildClientSchema(token.body.data as IntrospectionQuery))).toBe(served);
    const { key } = await createApiKey(server.db.prisma, { clientName: 'ci-schema', scopes: ['schema:read'], rateTier: 'standard' });
    const apiKey = await server.queryAs({ 'x-api-key': key }, '{ __schema { queryType { name } } }');
    expect(apiKey.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('still answers __typename to anyone: it is no introspection of the schema', async () => {
    const result = await server.queryAs(null, '{ __typename products(first: 1) { totalCount } }');
    expect(result.body.data.__typename).toBe('Query');
  });
});
