import { execFile } from 'node:child_process';
import { isDeepStrictEqual, parseArgs, promisify } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { connectDatabase, type Database } from '../src/db/database';
import { startEmbeddedDatabase } from '../src/db/embeddedDatabase';
import { applyMigrations } from '../src/db/migrations';
import { startLocalGateway } from '../src/server/startLocalGateway';
import { createThrowawayDatabase } from '../test/helpers/testDatabases';
import { HAND_WRITTEN_ORDERS_SQL } from './handWrittenSql';

/**
 * npm run bench [-- --duration 10 --connections 16 --first 50]
 *
 * Seeds the bench dataset into a throwaway database (on the PostgreSQL server of DATABASE_URL,
 * else in an embedded PGlite), then drives the nested orders query with autocannon
 * (in a separate process, so its CPU is not counted) against: the gateway; the gateway with
 * DataLoader batching off; and one hand-written SQL statement through pg. Prints throughput,
 * latency, SQL statements and Node CPU per request, and peak RSS.
 */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    first: { type: 'string', default: '50' },
  },
});
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const FIRST = Number(values.first);

const QUERY = `query { orders(first: ${FIRST}) { edges { node { id status createdAt customer { name email } items { quantity unitPrice { amount currency } product { sku name inventory { available warehouse { code } } } } } } } }`;
const AUTOCANNON = path.resolve(__dirname, '../node_modules/.bin/autocannon');
const TSX = path.resolve(__dirname, '../node_modules/.bin/tsx');
const SEED_SCRIPT = path.resolve(__dirname, '../prisma/seed.ts');
/** As the gateway under test has them (DATABASE_STATEMENT_TIMEOUT_MS and the others). */
const DATABASE_TIMEOUTS = loadConfig().database.timeouts;

interface Measurement {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statementsPerRequest: number;
  cpuMsPerRequest: number;
  peakRssMb: number;
  errors: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { url, kind, drop } = await createBenchDatabase();
  try {
    console.log(`Database: ${kind}. Seeding the bench dataset...`);
    const setup = connectDatabase({ connectionString: url, poolSize: 4, timeouts: DATABASE_TIMEOUTS });
    await applyMigrations(setup.pool);
    await setup.close();
    // Seeded by the seed command in its own process, so its memory is not in the RSS we report.
    const { stdout } = await promisify(execFile)(TSX, [SEED_SCRIPT, '--size', 'bench'], { env: { ...process.env, DATABASE_URL: url } });
    console.log(stdout.trim());

    const results: Measurement[] = [];
    const expected = await measureGateway('gateway (batching on)', url, 'on', results);
    await measureGateway('gateway (batching off)', url, 'off', results, expected);
    await measureHandWrittenSql(url, results, expected);
    report(results, kind);
  } finally {
    await drop();
    console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
  }
}

async function createBenchDatabase(): Promise<{ url: string; kind: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const database = await createThrowawayDatabase(serverUrl, 'gateway_bench');
    return { url: database.url, kind: `PostgreSQL (${new URL(serverUrl).host})`, drop: database.drop };
  }
  const embedded = await startEmbeddedDatabase(null);
  return { url: embedded.connectionString, kind: 'embedded PGlite (in this process: its CPU counts as Node CPU)', drop: embedded.stop };
}

async function measureGateway(name: string, databaseUrl: string, batching: 'on' | 'off', results: Measurement[], expected?: unknown): Promise<unknown> {
  // The rate limiter runs (its cost is part of the measurement) with a bucket too big to refuse.
  const tiers = JSON.stringify({ user: { bucketSize: 1e12, restoreRate: 1e9 } });
  const gateway = await startLocalGateway({
    databaseUrl,
    roles: ['support'],
    subject: 'bench',
    env: { DATALOADER_BATCHING: batching, RATE_LIMIT_TIERS: tiers },
  });
  const { url, authorization, db, server } = gateway;
  try {
    const body = JSON.stringify({ query: QUERY });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    const { data, errors } = (await response.json()) as { data: unknown; errors?: unknown };
    if (errors) throw new Error(`the benchmark query failed: ${JSON.stringify(errors)}`);
    if (expected !== undefined && !isDeepStrictEqual(data, expected)) throw new Error(`${name} returned different data`);
    // Requests the server saw start and finish: autocannon abandons its in-flight requests at
    // the deadline, but the server still completes them (and sends their statements).
    const served = { started: 0, finished: 0 };
    server.httpServer.on('request', (_req, res) => {
      served.started += 1;
      res.on('close', () => (served.finished += 1));
    });
    await autocannon(url, body, authorization, 2); // warm-up: JIT, pool connections, query plans
    await settle(served);
    results.push(
      await measure(name, db, async () => {
        const before = served.started;
        const load = await autocannon(url, body, authorization, DURATION_S);
        await settle(served);
        return { ...load, served: served.started - before };
      }),
    );
    return data;
  } finally {
    await gateway.stop();
  }
}

async function measureHandWrittenSql(databaseUrl: string, results: Measurement[], expected: unknown): Promise<void> {
  const db = connectDatabase({ connectionString: databaseUrl, poolSize: CONNECTIONS, timeouts: DATABASE_TIMEOUTS });
  try {
    const { rows } = await db.pool.query<{ data: string }>(HAND_WRITTEN_ORDERS_SQL, [FIRST]);
    if (!isDeepStrictEqual(JSON.parse(rows[0]!.data), expected)) throw new Error('the hand-written SQL returns different data than the gateway');
    await driveSql(db, 2);
    results.push(await measure('hand-written SQL via pg', db, () => driveSql(db, DURATION_S)));
  } finally {
    await db.close();
  }
}

interface LoadResult {
  requests: number;
  /** Requests the server executed, including those the client abandoned at the deadline. */
  served?: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Runs `load` while sampling this process's CPU, RSS and the statements its pool sent. */
async function measure(name: string, db: Database, load: () => Promise<LoadResult>): Promise<Measurement> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const statementsBefore = db.stats.statements;
  const cpuBefore = process.cpuUsage();
  const result = await load();
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  return {
    name,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    statementsPerRequest: (db.stats.statements - statementsBefore) / (result.served ?? result.requests),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / (result.served ?? result.requests),
    peakRssMb: peakRss / 1_048_576,
    errors: result.errors,
  };
}

async function settle(served: { started: number; finished: number }): Promise<void> {
  while (served.finished < served.started) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function autocannon(url: string, body: string, authorization: string, seconds: number): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    AUTOCANNON,
    [
      '-j',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-H',
      `authorization=${authorization}`,
      '-b',
      body,
      url,
    ],
    { maxBuffer: 16 * 1_048_576 },
  );
  const report = JSON.parse(stdout);
  return {
    requests: report.requests.total,
    requestsPerSecond: report.requests.total / report.duration,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    errors: report.errors + report.non2xx + report.timeouts,
  };
}

/** CONNECTIONS concurrent loops, each sending the statement and reading its JSON text. */
async function driveSql(db: Database, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await db.pool.query(HAND_WRITTEN_ORDERS_SQL, [FIRST]);
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, requestsPerSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), errors };
}

function report(results: Measurement[], kind: string): void {
  const [on, off, sql] = results as [Measurement, Measurement, Measurement];
  console.log(`\norders(first: ${FIRST}) nested query, ${CONNECTIONS} connections, ${DURATION_S} s each, ${kind}\n`);
  console.table(
    results.map((r) => ({
      target: r.name,
      'req/s': r.requestsPerSecond.toFixed(1),
      'p50 ms': r.p50Ms.toFixed(1),
      'p99 ms': r.p99Ms.toFixed(1),
      'SQL/req': r.statementsPerRequest.toFixed(2),
      'Node CPU ms/req': r.cpuMsPerRequest.toFixed(2),
      'peak RSS MB': r.peakRssMb.toFixed(0),
      errors: r.errors,
    })),
  );
  console.log(`gateway / hand-written SQL limit: ${(on.requestsPerSecond / sql.requestsPerSecond).toFixed(3)} (long-run target >= 0.26)`);
  const multiple =
    off.requestsPerSecond > 0 ? `${(on.requestsPerSecond / off.requestsPerSecond).toFixed(2)}x` : 'n/a: no unbatched request completed; run longer';
  console.log(`gateway / batching off:           ${multiple}`);
  if (results.some((r) => r.errors > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
