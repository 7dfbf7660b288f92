import { SEED_SIZES, seedDatabase } from '../../src/db/seed';
import { startFreezableProxy, type FreezableProxy } from '../helpers/freezableProxy';
import { exitWithin, killSpawnedProcesses, startGatewayProcess, waitForUrl } from '../helpers/gatewayProcess';
import { createIsolatedDatabase } from '../helpers/isolatedDatabase';
import { signToken, TEST_AUTH_ENV } from '../helpers/tokens';

/**
 * SIGTERM ends the gateway within SHUTDOWN_GRACE_MS whatever the database does: here it stops
 * answering while a request waits on it, and the process still exits on time, saying which
 * steps it cut short.
 */
afterAll(killSpawnedProcesses);

const GRACE_MS = 2_000;
const ORDERS = '{ orders(first: 5) { totalCount edges { node { id customer { name } } } } }';

describe('shutdown with a database that stopped answering', () => {
  let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
  let proxy: FreezableProxy;
  beforeAll(async () => {
    database = await createIsolatedDatabase();
    await seedDatabase(database.db.prisma, SEED_SIZES.demo);
    proxy = await startFreezableProxy(database.url);
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await database?.close();
  });

  it('exits within SHUTDOWN_GRACE_MS of SIGTERM, closing the hung request, and reports what it cut short', async () => {
    const gateway = startGatewayProcess({
      ...TEST_AUTH_ENV,
      NODE_ENV: 'test',
      DATABASE_URL: proxy.url,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      REDIS_URL: '',
      NATS_URL: '',
    });
    const url = await waitForUrl(gateway);
    const post = async () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken({ roles: ['admin'] })}` },
        body: JSON.stringify({ query: ORDERS }),
      });
    const answered = await post();
    expect(((await answered.json()) as any).data.orders.totalCount).toBe(250);

    proxy.freeze();
    const hung = post().then(
      (response) => `answered ${response.status}`,
      () => 'connection closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // the request now waits on the database

    const signalledAt = Date.now();
    gateway.child.kill('SIGTERM');
    const code = await exitWithin(gateway, GRACE_MS + 10_000);
    const tookMs = Date.now() - signalledAt;

    expect(code).toBe(1);
    expect(tookMs).toBeLessThan(GRACE_MS + 1_500);
    expect(await hung).toBe('connection closed');
    expect(gateway.output()).toMatch(/shut down within SHUTDOWN_GRACE_MS \(2000 ms\) by cutting short: .*(http drain|in-flight requests).*database/);
    expect(gateway.output()).not.toMatch(/shut down cleanly/);
  }, 60_000);
});
