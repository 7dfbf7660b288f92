import { fragmentBomb } from '../helpers/hostileDocuments';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';

/**
 * One request path for every transport: an operation is analysed once, in time linear in its
 * size, and every policy applies whether it came over HTTP or WebSocket.
 */
let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ RATE_LIMIT: 'on' });
});
afterAll(() => server.close());

describe('the fragment bomb', () => {
  it.each([22, 40])('of %i levels is refused over HTTP with a coded error, before any SQL', async (levels) => {
    const query = fragmentBomb(levels);
    const { result, statements } = await server.countStatements(() => server.queryAs(null, query));
    expect(result.status).toBe(400);
    expect(firstError(result).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxSelections', maximum: 2000 });
    expect(firstError(result).extensions.traceId).toBe(result.headers.get('x-trace-id'));
    expect(statements).toBe(0);
    // The refusal still costs its sender a point.
    expect(result.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(2000);
  });

  it('is analysed once: twenty copies cost one analysis', async () => {
    const query = fragmentBomb(30);
    const before = server.server.analyses.built;
    await Promise.all(Array.from({ length: 20 }, () => server.queryAs(null, query)));
    expect(server.server.analyses.built - before).toBe(1);
  });

  it('is refused over WebSocket too, with the same code', async () => {
    const ws = connectWebSocket(server.url, null);
    try {
      const { errors } = await ws.run(fragmentBomb(40));
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxSelections' });
      expect(errors?.[0]?.extensions.traceId).toEqual(expect.any(String));
    } finally {
      await ws.dispose();
    }
  });
});
