import pg from 'pg';
import { describeIf } from '../helpers/conditions';
import { contractBreach, DRILL_STOCK, prepareDrillDatabase, reachedDatabase, reportDrill, startLoad, stopLoads, type DrillData } from '../helpers/drillLoad';
import { killSpawnedProcesses, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';
import { disposeThrowawayServices, startThrowawayPostgres, throwawayAvailability, type ThrowawayPostgres } from '../helpers/throwawayServices';
import { TEST_AUTH_ENV } from '../helpers/tokens';
import { pause, waitFor } from '../helpers/waiting';

/**
 * Drill: the database stops under load (pg_ctl stop -m immediate, a crash) and starts again a
 * few seconds later. Meanwhile every response is a success or a coded error with Retry-After,
 * answered within REQUEST_TIMEOUT_MS; after the restart the gateway recovers by itself; and
 * every order a client was told about exists, once per idempotency key, with one order.placed
 * event and its unit reserved.
 */
const REQUEST_TIMEOUT_MS = 4_000;
const OUTAGE_MS = 5_000;
/** "Within seconds": generous, for a shared two-core machine. */
const RECOVERY_BOUND_MS = 15_000;

afterAll(async () => {
  await stopLoads();
  killSpawnedProcesses();
  disposeThrowawayServices();
});

describeIf(throwawayAvailability.postgres.available, throwawayAvailability.postgres.available ? '' : throwawayAvailability.postgres.reason)(
  'drill: PostgreSQL stopped and started under load',
  () => {
    let database: ThrowawayPostgres;
    let data: DrillData;
    let gateway: SpawnedProcess;
    let url: string;

    beforeAll(async () => {
      database = await startThrowawayPostgres();
      data = await prepareDrillDatabase(database.url);
      gateway = startGatewayProcess({
        ...TEST_AUTH_ENV,
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        IDEMPOTENCY_LEASE_MS: String(2 * REQUEST_TIMEOUT_MS),
        RATE_LIMIT: 'off',
        REDIS_URL: '',
        NATS_URL: '',
      });
      url = await waitForUrl(gateway);
    }, 120_000);

    it('answers with coded errors during the outage, recovers within seconds, and loses or duplicates no order or event', async () => {
      const load = startLoad({ urls: [url], clients: 4, productGlobalId: data.productGlobalId, requestTimeoutMs: REQUEST_TIMEOUT_MS + 10_000 });
      await pause(3_000);
      const stoppedAt = Date.now();
      await database.stop('immediate');
      await pause(OUTAGE_MS);
      await database.start();
      const upAt = Date.now();
      const recovered = await waitFor(
        'a request answered from the database after the restart',
        () => load.exchanges.find((e) => e.doneAt > upAt && e.sentAt > stoppedAt && reachedDatabase(e)),
        60_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${gateway.output().slice(-3_000)}`);
      });
      await pause(3_000);
      const { unsettledKeys } = await load.stop();
      const recoveredInMs = recovered.doneAt - upAt;

      const breaches = load.exchanges.map((e) => contractBreach(e, REQUEST_TIMEOUT_MS + 2_000)).filter(Boolean);
      expect(breaches).toEqual([]);
      const duringOutage = load.exchanges.filter((e) => e.sentAt >= stoppedAt && e.doneAt <= upAt);
      // The drill did meet the outage: clients were told the service was unavailable.
      expect(duringOutage.filter((e) => e.codes.includes('SERVICE_UNAVAILABLE')).length).toBeGreaterThan(0);
      expect(unsettledKeys).toEqual([]);
      expect(recoveredInMs).toBeLessThan(RECOVERY_BOUND_MS);

      const sql = new pg.Client({ connectionString: database.url });
      await sql.connect();
      try {
        const { rows: orders } = await sql.query<{ id: number }>(
          'SELECT DISTINCT o.id FROM "Order" o JOIN "OrderItem" i ON i."orderId" = o.id WHERE i."productId" = $1',
          [data.productId],
        );
        const stored = orders.map((o) => o.id).sort((a, b) => a - b);
        const answered = [...load.ordersByKey.values()].map((id) => Number(Buffer.from(id, 'base64url').toString().split(':')[1])).sort((a, b) => a - b);
        // Every order a client was given exists, and no key made a second one nobody was told of.
        expect(stored).toEqual(answered);
        expect(new Set(answered).size).toBe(load.ordersByKey.size);

        const { rows: events } = await sql.query<{ orderId: string; count: number }>(
          `SELECT payload->>'orderId' AS "orderId", count(*)::int AS count FROM "Event" WHERE type = 'order.placed' GROUP BY 1`,
        );
        const eventsPerOrder = new Map(events.map((e) => [e.orderId, e.count]));
        expect([...load.ordersByKey.values()].map((id) => eventsPerOrder.get(id) ?? 0)).toEqual([...load.ordersByKey.values()].map(() => 1));

        const { rows: stock } = await sql.query<{ onHand: number; reserved: number }>(
          'SELECT "onHand", reserved FROM "InventoryLevel" WHERE "productId" = $1',
          [data.productId],
        );
        expect(stock).toEqual([{ onHand: DRILL_STOCK, reserved: stored.length }]);
      } finally {
        await sql.end();
      }

      reportDrill('postgres-restart', recoveredInMs, {
        outageMs: upAt - stoppedAt,
        requests: load.exchanges.length,
        serviceUnavailableDuringOutage: duringOutage.filter((e) => e.codes.includes('SERVICE_UNAVAILABLE')).length,
        slowestAnswerMs: Math.max(...load.exchanges.map((e) => e.doneAt - e.sentAt)),
        orders: load.ordersByKey.size,
      });
    });
  },
);
