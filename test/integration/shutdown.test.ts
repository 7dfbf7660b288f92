import { bearerHeaders, createTestServer } from '../helpers/testServer';

const HEAVY = `{ orders(first: 100) { edges { node { customer { name } items { product { inventory { warehouse { code } } } } } } } }`;

describe('graceful shutdown', () => {
  it('waits for in-flight requests, even those whose client went away, before the database may close', async () => {
    const server = await createTestServer();
    const admin = await bearerHeaders({ roles: ['admin'] });
    const aborts = Array.from({ length: 8 }, () => new AbortController());
    const requests = aborts.map((abort) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin },
        body: JSON.stringify({ query: HEAVY }),
        signal: abort.signal,
      }).catch(() => undefined),
    );
    // Let the requests reach the resolvers (their first SQL statement), then have every client give up.
    const deadline = Date.now() + 5_000;
    while (server.db.stats.statements === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    for (const abort of aborts) abort.abort();
    await Promise.all(requests);
    const statementsAtAbort = server.db.stats.statements;
    await server.server.stop();
    const statementsAtStop = server.db.stats.statements;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.db.stats.statements).toBe(statementsAtStop);
    expect(statementsAtStop).toBeGreaterThan(statementsAtAbort);
    await server.db.close();
  });
});
