import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs, promisify } from 'node:util';
import { loadConfig } from '../src/config';
import { connectDatabase, type Database } from '../src/db/database';
import { startEmbeddedDatabase } from '../src/db/embeddedDatabase';
import { applyMigrations } from '../src/db/migrations';
import { createThrowawayDatabase } from '../test/helpers/testDatabases';
import { compareWorktree, describeCheckout } from './compareWorktree';
import { startGatewayProcess, type GatewayProcess } from './gatewayProcess';
import { HAND_WRITTEN_ORDERS_SQL } from './handWrittenSql';
import { startOtlpSink, type OtlpSink } from './otlpSink';
import { buildForProduction } from './productionBuild';
import { inRoundOrder, median, medianOf, ratioOf, throughputVerdict, type Figures, type Metric, type Ratio, type Verdict } from './summary';
import { BASELINE_VARIANT, INSTRUMENTATION_VARIANTS, INSTRUMENTED_VARIANT, selectVariants, type Variant } from './variants';
import { PLACE_ORDER_PRODUCT_IDS, selectWorkloads, type Workload } from './workloads';

/**
 * npm run bench [-- --duration 10 --connections 16 --first 50 --rounds 1
 *                   --workloads orders,nodes,product,stock,introspection,orders-unbatched
 *                   --compare <git ref> | --instrumentation | --variants instrumented,bare,traced
 *                   --cpu-prof]
 *
 * Seeds the bench dataset into a throwaway database (on the PostgreSQL server of DATABASE_URL,
 * else in an embedded PGlite), then drives each workload (bench/workloads.ts) with autocannon
 * (in a separate process, so its CPU is not counted) against a gateway in its own process
 * (bench/gatewayProcess.ts), and the orders page also as one hand-written SQL statement through
 * pg: the practical limit. Prints throughput, latency, SQL statements and gateway CPU per
 * request, and the gateway's peak RSS; writes every measurement to bench/results/<time>.json.
 *
 * --compare <ref> also runs the same workloads against a gateway started from a worktree of
 * <ref>, on the same database, in alternating rounds (this code then ref, ref then this code...),
 * and prints the medians of the rounds side by side with their ratio.
 *
 * --variants (bench/variants.ts; --instrumentation: all of them) runs this code's gateway in
 * variants that differ only by settings (instrumentation on, off, with tracing) the same way, and
 * prints each variant / bare, and whether the instrumented orders page keeps to the 5% budget.
 *
 * --cpu-prof writes a CPU profile of every gateway process into bench/results/profiles-<time>/.
 */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    first: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    workloads: { type: 'string' },
    compare: { type: 'string' },
    variants: { type: 'string' },
    instrumentation: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(values.duration);
const WARM_UP_S = Math.min(2, DURATION_S);
const CONNECTIONS = Number(values.connections);
const FIRST = Number(values.first);
const ROUNDS = Number(values.rounds);
const WORKLOADS = selectWorkloads(values.workloads);
const VARIANTS = values.variants || values.instrumentation ? selectVariants(values.variants ?? INSTRUMENTATION_VARIANTS) : undefined;
/** The budget: the instrumented orders page serves at least 0.95 of what the bare one does. */
const INSTRUMENTATION_FLOOR = 0.95;

const REPO_ROOT = path.resolve(__dirname, '..');
const AUTOCANNON = path.resolve(REPO_ROOT, 'node_modules/.bin/autocannon');
const TSX = path.resolve(REPO_ROOT, 'node_modules/.bin/tsx');
const SEED_SCRIPT = path.resolve(REPO_ROOT, 'prisma/seed.ts');
const RESULTS_DIR = path.resolve(__dirname, 'results');
/** As the gateway under test has them (DATABASE_STATEMENT_TIMEOUT_MS and the others). */
const DATABASE_TIMEOUTS = loadConfig().database.timeouts;
const SQL_LIMIT = 'hand-written SQL';
const RUN_ID = new Date().toISOString().replace(/[:.]/g, '-');
const PROFILE_DIR = values['cpu-prof'] ? path.join(RESULTS_DIR, `profiles-${RUN_ID}`) : undefined;

/** A gateway measured: this worktree's ("current", or a variant's name), or the --compare ref's. */
interface Side {
  label: string;
  root: string;
  /** Its src/, compiled as production runs it. */
  compiled: string;
  sha: string;
  dirty: boolean;
  /** With --variants: the settings this side runs with. */
  variant?: Variant;
}

interface Measurement extends Figures {
  requests: number;
  errors: number;
  errorKinds?: LoadResult['errorKinds'];
  /** Write workloads: orders created during the run (a request refused for stock places none). */
  ordersPlaced?: number;
  ordersPerSecond?: number;
  /** Requests the gateway executed, including those autocannon abandoned at the deadline. */
  served?: number;
  /** Variants that log: bytes of request log written per request (every request's line checked present). */
  logBytesPerRequest?: number;
  /** The traced variant: OTLP/HTTP bytes exported per request. */
  spanExportBytesPerRequest?: number;
}

/** Where the variants that log write it (a disk file, as a log collector's would be): one file per gateway process, deleted once checked. */
const LOG_DIR = VARIANTS?.some((v) => v.log) ? path.join(os.tmpdir(), `gateway-bench-logs-${RUN_ID}`) : undefined;

async function main(): Promise<void> {
  const started = Date.now();
  if (!(ROUNDS >= 1 && DURATION_S > 0 && CONNECTIONS >= 1)) throw new Error('--rounds, --duration and --connections must be positive');
  console.log('Compiling the gateway as production runs it (tsc -p tsconfig.build.json)...');
  if (values.compare && VARIANTS) throw new Error('--compare and --variants (--instrumentation) do not combine: run one, then the other');
  const current: Side = { label: 'current', root: REPO_ROOT, compiled: await buildForProduction(REPO_ROOT), ...(await describeCheckout(REPO_ROOT)) };
  const sides = VARIANTS ? VARIANTS.map((variant) => ({ ...current, label: variant.name, variant })) : [current];
  if (values.compare) {
    const ref = await compareWorktree(REPO_ROOT, values.compare);
    console.log(`Compiling ${values.compare} as well...`);
    sides.push({ label: values.compare, root: ref.root, compiled: await buildForProduction(ref.root), sha: ref.sha, dirty: false });
  }
  const { url, kind, drop } = await createBenchDatabase();
  const sink = VARIANTS?.some((v) => v.tracing) ? await startOtlpSink() : undefined;
  if (LOG_DIR) mkdirSync(LOG_DIR);
  for (const variant of VARIANTS ?? []) console.log(`Variant ${variant.name}: ${variant.description}`);
  const measurements: Measurement[] = [];
  try {
    console.log(`Database: ${kind}. Seeding the bench dataset...`);
    const setup = connectDatabase({ connectionString: url, poolSize: 4, timeouts: DATABASE_TIMEOUTS });
    await applyMigrations(setup.pool);
    await setup.close();
    // Seeded by the seed command in its own process, so its memory is not in the RSS we report.
    const { stdout } = await promisify(execFile)(TSX, [SEED_SCRIPT, '--size', 'bench'], { env: { ...process.env, DATABASE_URL: url } });
    console.log(stdout.trim());

    /** Each workload's answer from the current code: every other target must return the same. */
    const expected = new Map<string, unknown>();
    for (let round = 1; round <= ROUNDS; round++) {
      // current, ref, then ref, current...: each workload's sides are measured back to back, so
      // drift in the machine's load (it is shared) touches them alike, and each runs first in
      // turn. Round 1 starts with the current code (or the first variant): its answers are `expected`.
      for (const workload of WORKLOADS.filter((w) => !w.mutation)) {
        for (const side of inRoundOrder(sides, round)) {
          console.log(`Round ${round}/${ROUNDS}, ${workload.name}: ${describeSide(side)}`);
          measurements.push(await measureGateway(side, round, url, workload, expected, sink));
        }
      }
      if (WORKLOADS.some((w) => w.name === 'orders')) measurements.push(await measureHandWrittenSql(url, round, expected.get('orders')));
    }
    // Writes last: the read workloads' answers (and the hand-written SQL's) stay those of the seed.
    for (let round = 1; round <= ROUNDS; round++) {
      for (const workload of WORKLOADS.filter((w) => w.mutation)) {
        for (const side of inRoundOrder(sides, round)) {
          console.log(`Round ${round}/${ROUNDS}, ${workload.name}: ${describeSide(side)}`);
          measurements.push(await measureGateway(side, round, url, workload, expected, sink));
        }
      }
    }
  } finally {
    await sink?.close();
    if (LOG_DIR) rmSync(LOG_DIR, { recursive: true, force: true });
    await drop();
  }
  const ratios = comparisonsOf(sides).flatMap(([numerator, denominator]) => WORKLOADS.map((w) => ratioOf(measurements, w.name, numerator, denominator)));
  const instrumentation = ratios.find((r) => r.workload === 'orders' && r.numerator === INSTRUMENTED_VARIANT && r.denominator === BASELINE_VARIANT);
  const verdict = instrumentation && throughputVerdict(instrumentation, INSTRUMENTATION_FLOOR);
  report(measurements, sides, kind, ratios, verdict);
  writeResults(measurements, sides, kind, ratios, verdict);
  console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
}

/** The labels the ratio tables divide: current / ref with --compare, each variant / bare with --variants. */
function comparisonsOf(sides: Side[]): Array<[string, string]> {
  if (VARIANTS) return sides.filter((s) => s.label !== BASELINE_VARIANT).map((s) => [s.label, BASELINE_VARIANT]);
  return sides.length > 1 ? [[sides[0]!.label, sides[1]!.label]] : [];
}

function describeSide(side: Side): string {
  return side.root === REPO_ROOT ? side.label : `${side.label} (${side.sha.slice(0, 12)})`;
}

async function createBenchDatabase(): Promise<{ url: string; kind: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const database = await createThrowawayDatabase(serverUrl, 'gateway_bench');
    return { url: database.url, kind: `PostgreSQL (${new URL(serverUrl).host})`, drop: database.drop };
  }
  // In the bench process: the gateway processes reach it over the PostgreSQL protocol, and its
  // CPU is not counted as the gateway's (it is, though, a single connection at a time).
  const embedded = await startEmbeddedDatabase(null);
  return {
    url: embedded.connectionString,
    kind: "embedded PGlite (in the bench process: in the hand-written SQL's CPU, not the gateway's)",
    drop: embedded.stop,
  };
}

/**
 * A fresh gateway process of `side` for one workload: its peak RSS is that workload's, and no
 * workload inherits another's heap or caches.
 */
async function measureGateway(
  side: Side,
  round: number,
  databaseUrl: string,
  workload: Workload,
  expected: Map<string, unknown>,
  sink: OtlpSink | undefined,
): Promise<Measurement> {
  // The rate limiter runs (its cost is part of the measurement) with a bucket too big to refuse.
  const tiers = JSON.stringify({ user: { bucketSize: 1e12, restoreRate: 1e9 } });
  const runName = `${side.label}-${workload.name}-r${round}`;
  const logFile = side.variant?.log ? path.join(LOG_DIR!, `${runName}.log`) : undefined;
  const exportedBefore = sink?.received().bytes ?? 0;
  const gateway = await startGatewayProcess({
    root: side.root,
    compiled: side.compiled,
    databaseUrl,
    roles: workload.roles ?? ['support'],
    subject: 'bench',
    // Introspection on, as in development, for the introspection workload (by default only schema:read has it).
    env: { DATALOADER_BATCHING: workload.batching, RATE_LIMIT_TIERS: tiers, INTROSPECTION: 'on', ...side.variant?.env },
    logFile,
    otlpEndpoint: side.variant?.tracing ? sink!.endpoint : undefined,
    execArgv: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${runName}.cpuprofile`] : [],
  });
  let measurement: Measurement;
  /** Every request the process saw, the check and the warm-up included. */
  let seen: number;
  try {
    const body = workload.body({ first: FIRST });
    if (workload.mutation) await topUpStock(databaseUrl);
    const data = await checkAnswer(gateway, body.replace('[<id>]', 'check'), `${side.label}: ${workload.name}`);
    if (workload.mutation) {
      const userErrors = (data as any)?.placeOrder?.userErrors;
      if (userErrors?.length) throw new Error(`${side.label}: ${workload.name} refused: ${JSON.stringify(userErrors)}`);
    } else {
      // The unbatched orders page must answer as the batched one does.
      const key = workload.name === 'orders-unbatched' ? 'orders' : workload.name;
      if (!expected.has(key)) expected.set(key, data);
      else if (!isDeepStrictEqual(data, expected.get(key))) throw new Error(`${side.label}: ${workload.name} returned different data than the current code`);
    }
    const idReplacement = workload.mutation === true;
    await autocannon(gateway.url, body, gateway.authorization, WARM_UP_S, idReplacement); // JIT, pool connections, query plans
    await gateway.settle();
    const ordersBefore = workload.mutation ? await countOrders(databaseUrl) : 0;
    const before = await gateway.stats();
    const load = await autocannon(gateway.url, body, gateway.authorization, DURATION_S, idReplacement);
    await gateway.settle();
    const after = await gateway.stats();
    const served = after.started - before.started;
    const writes = workload.mutation ? await checkWrites(databaseUrl, ordersBefore, side.label) : {};
    seen = after.started;
    measurement = {
      ...writes,
      side: side.label,
      workload: workload.name,
      round,
      ...load,
      served,
      statementsPerRequest: (after.statements - before.statements) / served,
      cpuMsPerRequest: (after.cpuMs - before.cpuMs) / served,
      peakRssMb: after.peakRssMb,
    };
  } finally {
    // Flushes the log and exports the spans still batched.
    await gateway.stop();
  }
  if (logFile) measurement.logBytesPerRequest = checkRequestLog(logFile, seen, runName);
  if (side.variant?.tracing) measurement.spanExportBytesPerRequest = (sink!.received().bytes - exportedBefore) / seen;
  return measurement;
}

/**
 * The log of a variant that logs holds one `request` line for every request its gateway saw
 * (so the writes measured really happened); returns its bytes per request and deletes it.
 */
function checkRequestLog(file: string, requests: number, run: string): number {
  const text = readFileSync(file, 'utf8');
  rmSync(file);
  const lines = text.split('\n').filter((line) => line.includes('"msg":"request"')).length;
  if (lines !== requests) throw new Error(`${run}: ${lines} request log lines for ${requests} requests: the log is not written as production writes it`);
  return Buffer.byteLength(text) / requests;
}

/**
 * Every run of placeOrder starts with ample stock of what it orders: otherwise the side that
 * runs second finds it sold out and measures fast refusals instead of orders.
 */
async function topUpStock(databaseUrl: string): Promise<void> {
  const db = connectDatabase({ connectionString: databaseUrl, poolSize: 1, timeouts: DATABASE_TIMEOUTS });
  try {
    await db.pool.query('UPDATE "InventoryLevel" SET "onHand" = reserved + 1000000 WHERE "productId" = ANY($1)', [PLACE_ORDER_PRODUCT_IDS]);
  } finally {
    await db.close();
  }
}

async function countOrders(databaseUrl: string): Promise<number> {
  const db = connectDatabase({ connectionString: databaseUrl, poolSize: 1, timeouts: DATABASE_TIMEOUTS });
  try {
    const { rows } = await db.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM "Order"');
    return rows[0]!.count;
  } finally {
    await db.close();
  }
}

/** After a write workload: the orders it placed per second, and no stock level oversold or negative. */
async function checkWrites(databaseUrl: string, ordersBefore: number, side: string): Promise<{ ordersPlaced: number; ordersPerSecond: number }> {
  const ordersPlaced = (await countOrders(databaseUrl)) - ordersBefore;
  const db = connectDatabase({ connectionString: databaseUrl, poolSize: 1, timeouts: DATABASE_TIMEOUTS });
  try {
    const { rows } = await db.pool.query<{ id: number; onHand: number; reserved: number }>(
      'SELECT id, "onHand", reserved FROM "InventoryLevel" WHERE reserved > "onHand" OR reserved < 0 OR "onHand" < 0 LIMIT 5',
    );
    if (rows.length > 0) throw new Error(`${side}: placeOrder left stock levels with reserved > onHand or negative: ${JSON.stringify(rows)}`);
  } finally {
    await db.close();
  }
  return { ordersPlaced, ordersPerSecond: ordersPlaced / DURATION_S };
}

async function checkAnswer(gateway: GatewayProcess, body: string, name: string): Promise<unknown> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: gateway.authorization },
    body,
  });
  const { data, errors } = (await response.json()) as { data: unknown; errors?: unknown };
  if (errors) throw new Error(`${name} failed: ${JSON.stringify(errors)}`);
  return data;
}

/** The orders page as one statement through pg, in this process (its CPU is this process's). */
async function measureHandWrittenSql(databaseUrl: string, round: number, expected: unknown): Promise<Measurement> {
  const db = connectDatabase({ connectionString: databaseUrl, poolSize: CONNECTIONS, timeouts: DATABASE_TIMEOUTS });
  try {
    const { rows } = await db.pool.query<{ data: string }>(HAND_WRITTEN_ORDERS_SQL, [FIRST]);
    if (!isDeepStrictEqual(JSON.parse(rows[0]!.data), expected)) throw new Error('the hand-written SQL returns different data than the gateway');
    await driveSql(db, WARM_UP_S);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const statementsBefore = db.stats.statements;
    const cpuBefore = process.cpuUsage();
    const load = await driveSql(db, DURATION_S);
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    return {
      side: SQL_LIMIT,
      workload: 'orders',
      round,
      ...load,
      statementsPerRequest: (db.stats.statements - statementsBefore) / load.requests,
      cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / load.requests,
      peakRssMb: peakRss / 1_048_576,
    };
  } finally {
    await db.close();
  }
}

interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** What the errors were: connection errors, non-2xx answers, timeouts (autocannon's 10 s). */
  errorKinds?: { errors: number; non2xx: number; timeouts: number };
}

async function autocannon(url: string, body: string, authorization: string, seconds: number, idReplacement = false): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    AUTOCANNON,
    [
      ...(idReplacement ? ['-I'] : []),
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
    errorKinds: { errors: report.errors, non2xx: report.non2xx, timeouts: report.timeouts },
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

function report(measurements: Measurement[], sides: Side[], kind: string, ratios: Ratio[], verdict: Verdict | undefined): void {
  const rounds = ROUNDS > 1 ? `, medians of ${ROUNDS} rounds` : '';
  console.log(
    `\n${CONNECTIONS} connections, ${DURATION_S} s per workload${rounds}, ${kind}; CPU and peak RSS are the gateway process's (the hand-written SQL's: the bench process's)\n`,
  );
  const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const targets = [...sides.map((s) => s.label), SQL_LIMIT];
  const rows = [];
  for (const workload of WORKLOADS) {
    for (const target of targets) {
      if (!measurements.some((m) => m.side === target && m.workload === workload.name)) continue;
      const at = (metric: Metric) => medianOf(measurements, target, workload.name, metric);
      rows.push({
        workload: workload.name,
        target,
        'req/s': fixed(at('requestsPerSecond'), 1),
        'p50 ms': fixed(at('p50Ms'), 1),
        'p99 ms': fixed(at('p99Ms'), 1),
        'SQL/req': fixed(at('statementsPerRequest'), 2),
        'CPU ms/req': fixed(at('cpuMsPerRequest'), 2),
        'peak RSS MB': fixed(at('peakRssMb'), 0),
        errors: measurements.filter((m) => m.side === target && m.workload === workload.name).reduce((sum, m) => sum + m.errors, 0),
      });
    }
  }
  console.table(rows);

  for (const [numerator, denominator] of comparisonsOf(sides)) {
    const ref = sides.find((s) => s.label === denominator)!;
    const of = ref.variant ? '' : ` (${ref.sha.slice(0, 12)})`;
    console.log(
      `\n${numerator} / ${denominator}${of}: ratios of the medians over the rounds; "paired": the median of each round's ratio (a round runs them back to back); then each round's req/s ratio. Above 1: ${numerator} serves more (req/s), or spends more (the others)\n`,
    );
    console.table(
      ratios
        .filter((r) => r.numerator === numerator && r.denominator === denominator)
        .map((r) => ({
          workload: r.workload,
          'req/s': fixed(r.requestsPerSecond, 3),
          'CPU ms/req': fixed(r.cpuMsPerRequest, 3),
          'p99 ms': fixed(r.p99Ms, 3),
          'SQL/req': fixed(r.statementsPerRequest, 3),
          'peak RSS': fixed(r.peakRssMb, 3),
          'paired req/s': fixed(median(r.byRound.requestsPerSecond), 3),
          'paired CPU': fixed(median(r.byRound.cpuMsPerRequest), 3),
          'paired p99': fixed(median(r.byRound.p99Ms), 3),
          'req/s by round': r.byRound.requestsPerSecond.map((x) => fixed(x, 3)).join(' '),
        })),
    );
  }
  for (const side of sides.filter((s) => s.variant?.log || s.variant?.tracing)) {
    const perRequest = (field: 'logBytesPerRequest' | 'spanExportBytesPerRequest') =>
      fixed(median(measurements.filter((m) => m.side === side.label).map((m) => m[field] ?? NaN)), 0);
    const log = side.variant!.log
      ? `request log ${perRequest('logBytesPerRequest')} bytes/request, one line per request (checked), into a file in ${LOG_DIR}`
      : '';
    const spans = side.variant!.tracing ? `; OTLP/HTTP export ${perRequest('spanExportBytesPerRequest')} bytes/request` : '';
    console.log(`${side.label}: ${log}${spans} (medians)`);
  }
  if (verdict) console.log(verdict.text);
  if (measurements.some((m) => m.side === SQL_LIMIT)) {
    const limit = medianOf(measurements, SQL_LIMIT, 'orders', 'requestsPerSecond');
    // Issue [3/7]'s targets: on PostgreSQL the gateway and the database share the machine; on
    // PGlite the limit is the embedded database's one thread.
    const target = kind.startsWith('embedded') ? '0.5' : '0.30';
    for (const side of sides) {
      const ratio = medianOf(measurements, side.label, 'orders', 'requestsPerSecond') / limit;
      console.log(`orders: ${side.label} gateway / hand-written SQL limit: ${fixed(ratio, 3)} (target >= ${target})`);
    }
  }
  if (WORKLOADS.some((w) => w.name === 'orders') && WORKLOADS.some((w) => w.name === 'orders-unbatched')) {
    for (const side of sides) {
      const off = medianOf(measurements, side.label, 'orders-unbatched', 'requestsPerSecond');
      const multiple =
        off > 0 ? `${fixed(medianOf(measurements, side.label, 'orders', 'requestsPerSecond') / off, 2)}x` : 'n/a: no unbatched request completed; run longer';
      console.log(`orders: ${side.label} batching on / off: ${multiple}`);
    }
  }
  if (WORKLOADS.some((w) => w.name === 'placeOrder')) {
    for (const side of sides) {
      const placed = measurements.filter((m) => m.side === side.label && m.workload === 'placeOrder');
      const perSecond = median(placed.map((m) => m.ordersPerSecond ?? 0));
      // At most 0: an abandoned request's order may commit after its connection closed.
      const refused = placed.reduce((sum, m) => sum + Math.max(0, (m.served ?? m.requests) - (m.ordersPlaced ?? 0)), 0);
      console.log(`placeOrder: ${side.label} ${fixed(perSecond, 1)} orders/s (requests that placed none: ${refused}); no stock level oversold or negative`);
    }
  }
  for (const m of measurements.filter((m) => m.errors > 0)) {
    console.log(`errors: ${m.workload}, ${m.side}, round ${m.round}: ${JSON.stringify(m.errorKinds ?? { errors: m.errors })}`);
  }
  if (measurements.some((m) => m.errors > 0)) process.exitCode = 1;
}

function writeResults(measurements: Measurement[], sides: Side[], kind: string, ratios: Ratio[], verdict: Verdict | undefined): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${RUN_ID}.json`);
  const cpus = os.cpus();
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      totalMemoryMb: Math.round(os.totalmem() / 1_048_576),
      platform: `${os.platform()} ${os.release()}`,
    },
    node: process.version,
    database: kind,
    options: { durationS: DURATION_S, warmUpS: WARM_UP_S, connections: CONNECTIONS, first: FIRST, rounds: ROUNDS, workloads: WORKLOADS.map((w) => w.name) },
    sides: sides.map(({ label, sha, dirty, variant }) => ({ label, sha, dirty, ...(variant ? { variant } : {}) })),
    measurements,
    ratios,
    ...(verdict ? { instrumentationBudget: { workload: 'orders', floor: INSTRUMENTATION_FLOOR, ...verdict } } : {}),
    ...(PROFILE_DIR ? { profiles: path.relative(REPO_ROOT, PROFILE_DIR) } : {}),
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
