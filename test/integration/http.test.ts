import { bearerHeaders, createTestServer, firstError, jsonOf, type TestServer } from '../helpers/testServer';
import { signToken } from '../helpers/tokens';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ MAX_BODY_BYTES: '4096' });
});
afterAll(() => server.close());

const base = () => server.url.replace(/\/graphql$/, '');

describe('HTTP', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await jsonOf(await fetch(`${base()}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('serves GET queries (with a CSRF preflight header) and POST', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ warehouses { code } }')}`, {
      headers: { 'apollo-require-preflight': 'true', ...(await bearerHeaders({ roles: ['admin'] })) },
    });
    expect(get.status).toBe(200);
    expect((await jsonOf(get)).data.warehouses).toHaveLength(3);
  });

  it('blocks a GET without a preflight header (CSRF protection) with a coded 400', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ warehouses { code } }')}`);
    expect(get.status).toBe(400);
  });

  it('speaks the GraphQL-over-HTTP media type when asked', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ warehouses { code } }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const invalid = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ nope }' }),
    });
    expect(invalid.status).toBe(400);
    expect((await jsonOf(invalid)).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("gives every error a code and a traceId: the caller's W3C trace id, echoed in X-Trace-Id and traceparent", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const result = await server.query('{ order(id: "x") { id } }', undefined, { traceparent: `00-${traceId}-b7ad6b7169203331-00` });
    expect(result.headers.get('x-trace-id')).toBe(traceId);
    expect(result.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-(?!b7ad6b7169203331)[0-9a-f]{16}-00$`));
    expect(firstError(result).extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'id', traceId });
  });

  it('gives a request without a traceparent a trace id of its own, different for each request', async () => {
    const [a, b] = await Promise.all([server.query('{ warehouses { code } }'), server.query('{ warehouses { code } }')]);
    expect(a.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(a.headers.get('x-trace-id')).not.toBe(b.headers.get('x-trace-id'));
    expect(a.headers.get('traceparent')).toMatch(new RegExp(`^00-${a.headers.get('x-trace-id')}-[0-9a-f]{16}-00$`));
  });

  it.each([
    ['invalid JSON', { 'content-type': 'application/json' }, '{"query": ', 400, 'BAD_REQUEST'],
    [
      'an oversized body',
      { 'content-type': 'application/json' },
      JSON.stringify({ query: `{ warehouses { code } } #${'x'.repeat(5000)}` }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['a syntax error', { 'content-type': 'application/json' }, JSON.stringify({ query: '{ orders(' }), 400, 'GRAPHQL_PARSE_FAILED'],
    ['a missing query', { 'content-type': 'application/json' }, JSON.stringify({}), 400, 'BAD_REQUEST'],
    ['a wrong content type', { 'content-type': 'text/plain' }, '{ warehouses { code } }', 400, 'BAD_REQUEST'],
  ])('answers %s with a clean 4xx and a code', async (_name, headers, body, status, code) => {
    const response = await fetch(server.url, { method: 'POST', headers: headers as Record<string, string>, body });
    expect(response.status).toBe(status);
    const payload = await jsonOf(response);
    expect(payload.errors[0].extensions.code).toBe(code);
    expect(JSON.stringify(payload)).not.toMatch(/stacktrace|at .*\.ts:/);
  });

  it('answers unknown paths with a coded 404', async () => {
    const response = await fetch(`${base()}/nope`);
    expect(response.status).toBe(404);
    expect((await jsonOf(response)).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('when the database is down', () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = await createTestServer({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' });
  });
  afterAll(() => broken.close());

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, with no cause, stack or SQL', async () => {
    const result = await broken.query('{ products(first: 1) { edges { node { id } } } }');
    expect(result.status).toBe(503);
    expect(result.headers.get('retry-after')).toBe('1');
    expect(result.body.errors).toHaveLength(1);
    const [error] = result.body.errors!;
    expect(error).toEqual({
      message: 'The service is busy or its database is unavailable: retry shortly.',
      locations: [{ line: 1, column: 3 }],
      path: ['products'],
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1, traceId: expect.any(String) },
    });
  });

  it('reports not ready on /readyz, still alive on /healthz', async () => {
    const root = broken.url.replace(/\/graphql$/, '');
    expect((await fetch(`${root}/readyz`)).status).toBe(503);
    expect((await fetch(`${root}/healthz`)).status).toBe(200);
  });
});

describe('in development', () => {
  let development: TestServer;
  beforeAll(async () => {
    development = await createTestServer({ NODE_ENV: 'development', MAX_COST: '10' });
  });
  afterAll(() => development.close());

  it("answers a client's mistakes without a stack trace: only unexpected errors carry one", async () => {
    const tooComplex = await development.query('{ orders(first: 50) { edges { node { id } } } }');
    expect(firstError(tooComplex).extensions.code).toBe('QUERY_TOO_COMPLEX');
    const invalid = await development.query('{ nope }');
    const expired = await development.queryAs(
      { authorization: `Bearer ${await signToken({ roles: ['admin'] }, { expiresIn: '-1h' })}` },
      '{ products { totalCount } }',
    );
    for (const result of [tooComplex, invalid, expired]) {
      expect(result.body.errors![0]!.extensions.stacktrace).toBeUndefined();
      expect(JSON.stringify(result.body)).not.toMatch(/\n\s+at |\.ts:\d+/);
    }
  });

  it('refuses a request a cross-site page could send (CSRF) with the envelope and trace id of every error', async () => {
    const response = await fetch(`${development.url}?query=${encodeURIComponent('{ products { totalCount } }')}`);
    expect(response.status).toBe(400);
    const body = await jsonOf(response);
    expect(body.errors[0]).toMatchObject({
      message: expect.stringMatching(/cross-site request forgery/),
      extensions: { code: 'BAD_REQUEST', traceId: response.headers.get('x-trace-id') },
    });
  });
});
