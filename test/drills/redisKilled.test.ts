import Redis from 'ioredis';
import { describeIf } from '../helpers/conditions';
import { contractBreach, isSuccess, prepareDrillDatabase, reportDrill, startLoad, stopLoads, type DrillData } from '../helpers/drillLoad';
import { killSpawnedProcesses, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';
import {
  disposeThrowawayServices,
  startThrowawayPostgres,
  startThrowawayRedis,
  throwawayAvailability,
  type ThrowawayPostgres,
  type ThrowawayServer,
} from '../helpers/throwawayServices';
import { TEST_AUTH_ENV } from '../helpers/tokens';
import { pause, waitFor } from '../helpers/waiting';

/**
 * Drill: Redis, where two replicas keep their shared rate-limit buckets, is killed (SIGKILL)
 * under load. Requests are still served, under the documented fallback (each replica's own
 * buckets, a warning logged); once Redis is back on its port, both replicas take from the shared
 * buckets again: a small bucket drained through both alternately allows one bucket's worth, not
 * one per replica as during the outage.
 */
const REQUEST_TIMEOUT_MS = 4_000;
const OUTAGE_MS = 10_000;
const PREFIX = 'gateway:ratelimit:';
/** Anonymous clients get a small bucket that barely refills (the drain); users a large one (the load). */
const TIERS = { anonymous: { bucketSize: 40, restoreRate: 0.001 }, user: { bucketSize: 1_000_000, restoreRate: 100_000 } };
/** ioredis retries a lost connection at most every 5 s; generous on a shared machine. */
const RECOVERY_BOUND_MS = 20_000;
const FALLBACK_WARNING = 'Redis is unavailable for rate limiting: using per-process limits until it answers again';

afterAll(async () => {
  await stopLoads();
  killSpawnedProcesses();
  disposeThrowawayServices();
});

/**
 * Sends an anonymous query alternately to each replica until both refuse it (RATE_LIMITED);
 * returns the points the successes took, in all (each is charged its actual cost).
 */
async function drainAnonymousBucket(urls: string[]): Promise<{ taken: number; refusedBy: Set<string> }> {
  const refusedBy = new Set<string>();
  let taken = 0;
  for (let i = 0; refusedBy.size < urls.length; i += 1) {
    if (i > 500) throw new Error(`the anonymous bucket never ran dry: ${taken} points taken`);
    const url = urls[i % urls.length]!;
    if (refusedBy.has(url)) continue;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products(first: 2) { edges { node { sku } } } }' }),
    });
    const body = (await response.json()) as { errors?: { extensions: { code: string } }[]; extensions: { cost: { actualQueryCost?: number } } };
    if (response.status === 429) {
      expect(body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
      refusedBy.add(url);
    } else {
      expect(response.status).toBe(200);
      taken += body.extensions.cost.actualQueryCost!;
    }
  }
  return { taken, refusedBy };
}

const unavailable = [throwawayAvailability.postgres, throwawayAvailability.redis].find((service) => !service.available);

describeIf(!unavailable, unavailable && !unavailable.available ? unavailable.reason : '')('drill: Redis killed under two replicas', () => {
  let database: ThrowawayPostgres;
  let redis: ThrowawayServer;
  let data: DrillData;
  let gateways: SpawnedProcess[];
  let urls: string[];
  let probe: Redis;

  beforeAll(async () => {
    [database, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
    data = await prepareDrillDatabase(database.url);
    const env = {
      ...TEST_AUTH_ENV,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      RATE_LIMIT: 'on',
      RATE_LIMIT_TIERS: JSON.stringify(TIERS),
      RATE_LIMIT_REDIS_PREFIX: PREFIX,
      REDIS_URL: redis.url,
      NATS_URL: '',
    };
    gateways = [startGatewayProcess(env), startGatewayProcess(env)];
    urls = await Promise.all(gateways.map(waitForUrl));
    probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    probe.on('error', () => undefined);
  }, 120_000);
  afterAll(() => probe?.disconnect());

  /** Whether the bucket of `client` (a load client: user drill-client-<n>) is in Redis. */
  const bucketInRedis = async (client: number) => (await probe.exists(`${PREFIX}user:drill-client-${client}`).catch(() => 0)) === 1;

  it('serves on per-replica buckets while Redis is down, then both replicas share buckets again within seconds', async () => {
    // Client n talks to replica n % 2 only: its bucket key in Redis says that replica took from Redis.
    const load = startLoad({ urls, clients: 4, productGlobalId: data.productGlobalId, requestTimeoutMs: REQUEST_TIMEOUT_MS + 10_000 });
    await waitFor('both replicas to keep buckets in Redis', async () => ((await bucketInRedis(0)) && (await bucketInRedis(1)) ? true : undefined), 30_000);

    const downAt = Date.now();
    await redis.kill();
    await waitFor('the fallback warning from both replicas', () => (gateways.every((g) => g.output().includes(FALLBACK_WARNING)) ? true : undefined), 30_000);
    // The documented fallback: each replica limits on its own, so a client gets up to one bucket per replica.
    const duringOutage = await drainAnonymousBucket(urls);
    expect(duringOutage.taken).toBeGreaterThan(TIERS.anonymous.bucketSize);
    expect(duringOutage.taken).toBeLessThanOrEqual(urls.length * TIERS.anonymous.bucketSize);

    // Down long enough for the clients' reconnection attempts to back off, as in a real outage.
    await pause(OUTAGE_MS - (Date.now() - downAt));
    await redis.start();
    const upAt = Date.now();
    const recoveredAt = await waitFor(
      'both replicas to take from Redis again',
      async () => ((await bucketInRedis(0)) && (await bucketInRedis(1)) ? Date.now() : undefined),
      60_000,
    );
    const recoveredInMs = recoveredAt - upAt;
    // Shared again (the restarted Redis is empty: the anonymous bucket starts full): one bucket's worth across both.
    const afterRecovery = await drainAnonymousBucket(urls);
    expect(afterRecovery.taken).toBeLessThanOrEqual(TIERS.anonymous.bucketSize);
    await pause(1_000);
    await load.stop();

    expect(load.exchanges.map((e) => contractBreach(e, REQUEST_TIMEOUT_MS + 2_000)).filter(Boolean)).toEqual([]);
    // The load's clients have ample budgets: without Redis they were served all the same.
    const served = load.exchanges.filter((e) => e.sentAt >= downAt && e.doneAt <= upAt);
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((e) => !isSuccess(e)).map((e) => e.body)).toEqual([]);
    expect(recoveredInMs).toBeLessThan(RECOVERY_BOUND_MS);

    reportDrill('redis-killed', recoveredInMs, {
      outageMs: upAt - downAt,
      requestsDuringOutage: served.length,
      anonymousPointsDuringOutage: duringOutage.taken,
      anonymousPointsAfterRecovery: afterRecovery.taken,
      bucketSize: TIERS.anonymous.bucketSize,
    });
  });
});
