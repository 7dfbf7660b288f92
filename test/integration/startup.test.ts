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
