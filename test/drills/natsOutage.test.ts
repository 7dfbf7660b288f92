import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { describeIf } from '../helpers/conditions';
import { contractBreach, isSuccess, prepareDrillDatabase, reportDrill, startLoad, stopLoads, type DrillData } from '../helpers/drillLoad';
import { createEventStream, eventStreamConfig } from '../helpers/eventStreams';
import { killSpawnedProcesses, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';
import {
  disposeThrowawayServices,
  startThrowawayNats,
  startThrowawayPostgres,
  throwawayAvailability,
  type ThrowawayPostgres,
  type ThrowawayServer,
} from '../helpers/throwawayServices';
import { TEST_AUTH_ENV } from '../helpers/tokens';
import { pause, waitFor } from '../helpers/waiting';

/**
 * Drill: NATS goes away (SIGKILL) for 30 s while orders are placed. Requests do not notice;
 * events wait in the outbox; once NATS is back (same store: the stream persists) the dispatcher
 * delivers the backlog, every event exactly once in the stream, none left PENDING or DEAD. The
 * stream is made before the gateway starts, with a 100 ms duplicate window: an event published
 * again after the outage would be a second message, not one JetStream drops as a duplicate.
 */
const OUTAGE_MS = 30_000;
const STREAM = 'DRILL_EVENTS';
const SUBJECT_PREFIX = 'drill.events';
const REQUEST_TIMEOUT_MS = 4_000;
/** Generous for a shared two-core machine; a dispatcher waiting out its backoff takes a minute. */
const DRAIN_BOUND_MS = 15_000;

afterAll(async () => {
  await stopLoads();
  killSpawnedProcesses();
  disposeThrowawayServices();
});

const unavailable = [throwawayAvailability.postgres, throwawayAvailability.nats].find((service) => !service.available);

describeIf(!unavailable, unavailable && !unavailable.available ? unavailable.reason : '')('drill: NATS down for 30 s', () => {
  let database: ThrowawayPostgres;
  let nats: ThrowawayServer;
  let data: DrillData;
  let gateway: SpawnedProcess;
  let url: string;
  let env: Record<string, string>;
  let sql: pg.Client;

  beforeAll(async () => {
    [database, nats] = await Promise.all([startThrowawayPostgres(), startThrowawayNats()]);
    data = await prepareDrillDatabase(database.url);
    // The restarted server keeps its store, and with it this stream and its 100 ms duplicate window.
    await createEventStream(nats.url, STREAM, SUBJECT_PREFIX);
    env = {
      ...TEST_AUTH_ENV,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      RATE_LIMIT: 'off',
      REDIS_URL: '',
      NATS_URL: nats.url,
      NATS_STREAM: STREAM,
      NATS_SUBJECT_PREFIX: SUBJECT_PREFIX,
    };
    gateway = startGatewayProcess(env);
    url = await waitForUrl(gateway);
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  }, 120_000);
  afterAll(() => sql?.end());

  const countByStatus = async () => {
    const { rows } = await sql.query<{ status: string; count: number }>('SELECT status, count(*)::int AS count FROM "Event" GROUP BY status');
    return Object.fromEntries(rows.map((row) => [row.status, row.count])) as Record<string, number | undefined>;
  };

  it('serves requests throughout, then delivers the backlog exactly once within seconds of NATS coming back', async () => {
    const load = startLoad({ urls: [url], clients: 3, productGlobalId: data.productGlobalId, requestTimeoutMs: REQUEST_TIMEOUT_MS + 10_000, pauseMs: 100 });
    await waitFor('the first published event', async () => ((await countByStatus()).PUBLISHED ? true : undefined), 30_000);
    const downAt = Date.now();
    await nats.kill();
    // A replica (re)started during the outage starts all the same, and connects once NATS is back.
    const latecomer = startGatewayProcess(env);
    const latecomerUrl = await waitForUrl(latecomer);
    await waitFor('the latecomer to warn that NATS is unreachable', () =>
      latecomer.output().includes('cannot reach NATS at NATS_URL: events wait in the outbox; connecting in the background') ? true : undefined,
    );
    const latecomerLoad = startLoad({ urls: [latecomerUrl], clients: 1, productGlobalId: data.productGlobalId, requestTimeoutMs: REQUEST_TIMEOUT_MS + 10_000 });
    await pause(OUTAGE_MS - (Date.now() - downAt));
    await Promise.all([load.stop(), latecomerLoad.stop()]);
    const backlog = await countByStatus();
    await nats.start();
    const upAt = Date.now();
    const drainedAt = await waitFor(
      'the backlog to be published',
      async () => {
        const counts = await countByStatus();
        return !counts.PENDING && !counts.DEAD ? Date.now() : undefined;
      },
      120_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await countByStatus())}\n${gateway.output().slice(-3_000)}`);
    });
    const drainedInMs = drainedAt - upAt;

    await waitFor(
      'the latecomer to connect to NATS',
      () => (latecomer.output().includes('connected to NATS: publishing the outbox') ? true : undefined),
      30_000,
    );

    // Requests never depended on the broker.
    const duringOutage = [...load.exchanges.filter((e) => e.sentAt >= downAt), ...latecomerLoad.exchanges];
    expect(load.exchanges.map((e) => contractBreach(e, REQUEST_TIMEOUT_MS + 2_000)).filter(Boolean)).toEqual([]);
    expect(duringOutage.filter((e) => !isSuccess(e)).map((e) => e.body)).toEqual([]);
    expect(duringOutage.filter((e) => e.kind === 'placeOrder').length).toBeGreaterThan(0);
    // Events written meanwhile waited in the outbox, and the outage used up none of their attempts.
    expect(backlog.PENDING).toBeGreaterThan(0);
    const { rows: charged } = await sql.query<{ id: string; attempts: number; lastError: string | null }>(
      'SELECT id, attempts, "lastError" FROM "Event" WHERE attempts <> 1',
    );
    expect(charged).toEqual([]);

    const { rows: events } = await sql.query<{ id: string }>('SELECT id FROM "Event"');
    const nc = await connect({ servers: nats.url });
    try {
      const manager = await jetstreamManager(nc);
      const { config, state } = await manager.streams.info(STREAM);
      // Still the stream made before the gateway started: a default two-minute window would hide a republication.
      expect(config.duplicate_window).toBe(eventStreamConfig(STREAM, SUBJECT_PREFIX).duplicate_window);
      const perEventId = new Map<string, number>();
      for (let seq = state.first_seq; seq <= state.last_seq; seq += 1) {
        const message = await manager.streams.getMessage(STREAM, { seq });
        const id = message?.header?.get('Nats-Msg-Id') ?? '';
        perEventId.set(id, (perEventId.get(id) ?? 0) + 1);
      }
      const expected = new Map(events.map((event) => [event.id, 1]));
      expect(perEventId).toEqual(expected);
    } finally {
      await nc.close();
    }
    expect(drainedInMs).toBeLessThan(DRAIN_BOUND_MS);

    reportDrill('nats-outage', drainedInMs, {
      outageMs: upAt - downAt,
      backlogAtRestart: backlog.PENDING,
      events: events.length,
      requestsDuringOutage: duringOutage.length,
    });
  });
});
