import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signHs256Token } from '../../src/auth/signToken';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config';
import { killSpawnedProcesses, startGatewayProcess as start, waitForUrl } from '../helpers/gatewayProcess';

/**
 * `npm start` on a fresh clone: no DATABASE_URL, so the embedded database is created,
 * migrated and seeded, and the server answers; SIGTERM stops it cleanly.
 */
afterAll(killSpawnedProcesses);

describe('start-up', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gateway-embedded-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('creates, migrates and seeds the embedded database, serves the demo data, and stops on SIGTERM', async () => {
    const server = start({ EMBEDDED_DATA_DIR: path.join(dataDir, 'pglite') });
    try {
      const url = await waitForUrl(server);
      // What `npm run token:dev -- --role admin` prints on a fresh clone.
      const token = await signHs256Token({
        secret: DEVELOPMENT_JWT_SECRET,
        issuer: 'orders-gateway',
        audience: 'orders-gateway',
        subject: 'dev-admin',
        claims: { roles: ['admin'] },
        expiresIn: '5m',
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ orders(first: 50) { totalCount edges { node { items { product { sku } } } } } }' }),
      });
      const body: any = await response.json();
      expect(body.data.orders.totalCount).toBe(250);
      expect(body.data.orders.edges).toHaveLength(50);
      expect(server.output()).toMatch(/seeded with demo data/);

      // A client's trace id leads to the log line of its request: a field error, a refusal at the edge.
      const denied = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ warehouses { code } }' }),
      });
      const refused = await fetch(url); // a GET without a preflight header: CSRF refusal
      expect(refused.status).toBe(400);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the log lines are written after the response
      for (const [response, code] of [
        [denied, 'UNAUTHENTICATED'],
        [refused, 'BAD_REQUEST'],
      ] as const) {
        const traceId = response.headers.get('x-trace-id')!;
        const line = server
          .output()
          .split('\n')
          .find((text) => text.includes(traceId));
        expect(line).toBeDefined();
        expect(JSON.parse(line!)).toMatchObject({ level: 30, traceId, codes: [code] });
      }
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/shut down cleanly/);

    // A second start finds the data in place: nothing is seeded twice.
    const again = start({ EMBEDDED_DATA_DIR: path.join(dataDir, 'pglite') });
    try {
      await waitForUrl(again);
      expect(again.output()).not.toMatch(/seeded/);
    } finally {
      again.child.kill('SIGTERM');
    }
    expect(await again.exited).toBe(0);
  }, 120_000);

  it('refuses to start on a bad setting, naming the variable', async () => {
    const server = start({ PORT: 'eighty', EMBEDDED_DATA_DIR: path.join(dataDir, 'unused') });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT="eighty"/);
  });
});
