import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { signWithPrivateKey } from '../src/auth/signToken';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/database';
import { applyMigrations } from '../src/db/migrations';
import { connectRedis } from '../src/db/redisClient';
import { createEventStream } from '../test/helpers/eventStreams';
import { createThrowawayDatabase } from '../test/helpers/testDatabases';
import { checkInvariants, checkOutbox, checkStream, type Invariant } from './mixed/invariants';
import { summarize, type OperationSummary } from './mixed/latency';
import { MIX, runMixedLoad } from './mixed/mixedWorkload';
import { buildForProduction } from './productionBuild';

/**
 * npm run loadtest [-- --duration 30 --connections 16 --replicas 2 --first 20]
 *
 * The whole deployment under a mixed load: `--replicas` gateway processes, compiled and
 * configured as production runs them (NODE_ENV=production, ES256 tokens, the request log on),
 * on one throwaway PostgreSQL database with the bench dataset (DATABASE_URL's server), sharing
 * Redis (REDIS_URL, under prefixes of their own) and publishing their outbox to NATS JetStream
 * (NATS_URL, a stream of their own) when those are set. Clients send 80% reads of the bench's
 * kinds, 15% placeOrder and 5% status changes to the replicas in turn, for a bounded time
 * (bench/mixed/mixedWorkload.ts). Prints throughput, p50/p95/p99 per operation, outcomes by
 * code, and the invariants afterwards (bench/mixed/invariants.ts); exits 1 if one fails.
 * Writes everything to bench/results/mixed-<time>.json.
 */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '16' },
    replicas: { type: 'string', default: '2' },
    first: { type: 'string', default: '20' },
  },
});
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const REPLICAS = Number(values.replicas);
const FIRST = Number(values.first);

const REPO_ROOT = path.resolve(__dirname, '..');
const TSX = path.resolve(REPO_ROOT, 'node_modules/.bin/tsx');
const RESULTS_DIR = path.resolve(__dirname, 'results');
const RUN_ID = `load${Date.now().toString(36)}`;
/**
 * Budgets no client of the load reaches: the buckets are still taken from on every request
 * (in Redis when shared), but the figures measure the replicas, not the limits.
 */
const LOAD_RATE_TIERS = JSON.stringify({ user: { bucketSize: 100_000_000, restoreRate: 10_000_000 } });
/** How long the replicas get to publish the outbox once the load stops. */
const OUTBOX_DRAIN_MS = 60_000;

interface Replica {
  url: string;
  child: ChildProcess;
  logFile: string;
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    throw new Error(
      'DATABASE_URL must name a PostgreSQL server: replicas cannot share the embedded database. Set REDIS_URL and NATS_URL too, as in production.',
    );
  }
  if (!(DURATION_S > 0 && CONNECTIONS >= 1 && REPLICAS >= 1 && FIRST >= 1))
    throw new Error('--duration, --connections, --replicas and --first must be positive');
  const { REDIS_URL: redisUrl, NATS_URL: natsUrl } = process.env;
  console.log('Compiling the gateway as production runs it (tsc -p tsconfig.build.json)...');
  const compiled = await buildForProduction(REPO_ROOT);
  const database = await createThrowawayDatabase(serverUrl, 'gateway_load');
  const setup = connectDatabase({ connectionString: database.url, poolSize: 2, timeouts: loadConfig({}).database.timeouts });
  const logDir = path.join(os.tmpdir(), `gateway-load-${RUN_ID}`);
  mkdirSync(logDir);
  const replicas: Replica[] = [];
  try {
    await applyMigrations(setup.pool);
    console.log('Seeding the bench dataset...');
    const { stdout } = await promisify(execFile)(TSX, [path.join(REPO_ROOT, 'prisma/seed.ts'), '--size', 'bench'], {
      env: { ...process.env, DATABASE_URL: database.url },
    });
    console.log(stdout.trim());

    // The replicas verify ES256 tokens with a public key, as production does; the key pair is this run's own.
    const { publicKey, privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const token = (roles: string[], subject: string) =>
      signWithPrivateKey({
        privateKeyPem: privateKey,
        algorithm: 'ES256',
        issuer: 'orders-gateway',
        audience: 'orders-gateway',
        subject,
        claims: { roles },
        expiresIn: '2h',
      });
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      JWT_PUBLIC_KEY: publicKey,
      JWT_PUBLIC_KEY_ALG: 'ES256',
      METRICS_TOKEN: randomBytes(16).toString('hex'),
      RATE_LIMIT_TIERS: LOAD_RATE_TIERS,
      ...(redisUrl
        ? {
            REDIS_URL: redisUrl,
            RATE_LIMIT_REDIS_PREFIX: `${RUN_ID}:ratelimit:`,
            RESPONSE_CACHE_REDIS_PREFIX: `${RUN_ID}:cache:`,
            PERSISTED_QUERIES_REDIS_PREFIX: `${RUN_ID}:`,
            QUOTA_REDIS_PREFIX: `${RUN_ID}:quota:`,
          }
        : {}),
      ...(natsUrl ? { NATS_URL: natsUrl, NATS_STREAM: RUN_ID.toUpperCase(), NATS_SUBJECT_PREFIX: `${RUN_ID}.events` } : {}),
    };
    // Before the replicas (they adopt it), with a 100 ms duplicate window instead of two minutes:
    // "each event in the stream exactly once" then counts what the dispatchers published, not
    // what JetStream let through.
    if (natsUrl) await createEventStream(natsUrl, env.NATS_STREAM!, env.NATS_SUBJECT_PREFIX!);
    for (let i = 1; i <= REPLICAS; i++) replicas.push(await startReplica(compiled, env, path.join(logDir, `replica-${i}.log`)));
    console.log(
      `${REPLICAS} replicas: ${replicas.map((r) => r.url).join(', ')}; Redis: ${redisUrl ? 'shared' : 'none (per process)'}; NATS: ${natsUrl ?? 'none'}`,
    );

    const productIds = (await setup.pool.query<{ id: number }>('SELECT "id" FROM "Product" WHERE "active" ORDER BY "id" LIMIT 6')).rows.map((r) => r.id);
    const ordersBefore = Number((await setup.pool.query<{ max: number }>('SELECT coalesce(max("id"), 0) AS max FROM "Order"')).rows[0]!.max);
    const startedAt = (await setup.pool.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    console.log(`Mixed load: ${CONNECTIONS} clients for ${DURATION_S} s (${MIX.map((m) => `${m.operation} ${m.weight}%`).join(', ')})...`);
    const load = await runMixedLoad({
      urls: replicas.map((r) => r.url),
      connections: CONNECTIONS,
      durationMs: DURATION_S * 1000,
      readAuthorization: `Bearer ${await token(['support'], 'load-reader')}`,
      writeAuthorization: `Bearer ${await token(['admin'], 'load-writer')}`,
      first: FIRST,
      productIds,
      customerIds: Array.from({ length: 50 }, (_, i) => i + 1),
      runId: RUN_ID,
      seed: 1,
    });
    const seconds = load.elapsedMs / 1000;
    const operations = MIX.map(({ operation }) => summarize(operation, load.records.get(operation)!, seconds));

    const drainMs = natsUrl ? await waitForOutbox(setup.pool, startedAt) : undefined;
    const exitCodes = await Promise.all(replicas.map(stopReplica));
    const invariants: Invariant[] = [
      { name: 'replicas shut down cleanly (SIGTERM, exit 0)', held: exitCodes.every((c) => c === 0), detail: `exit codes ${exitCodes.join(', ')}` },
      ...(await checkInvariants(setup.pool, ordersBefore, load)),
      await checkOutbox(setup.pool, startedAt, Boolean(natsUrl)),
    ];
    if (natsUrl) {
      const published = Number(
        (await setup.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Event" WHERE "status" = 'PUBLISHED' AND "occurredAt" >= $1`, [startedAt])).rows[0]!
          .n,
      );
      invariants.push(await checkStream(natsUrl, env.NATS_STREAM!, published));
    }
    const requestLogLines = replicas.reduce(
      (sum, r) =>
        sum +
        readFileSync(r.logFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"msg":"request"')).length,
      0,
    );
    report(operations, load, seconds, invariants, drainMs, requestLogLines);
    writeResults({ operations, load, seconds, invariants, drainMs, redis: Boolean(redisUrl), nats: Boolean(natsUrl) });
    if (invariants.some((i) => !i.held)) process.exitCode = 1;
  } finally {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await setup.close();
    await database.drop();
    if (natsUrl) await deleteStream(natsUrl, RUN_ID.toUpperCase());
    if (redisUrl) await deleteKeys(redisUrl, `${RUN_ID}:*`);
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** `node dist/src/main.js` as the image runs it, its log into a file; resolves with its URL once it listens. */
async function startReplica(compiled: string, env: Record<string, string>, logFile: string): Promise<Replica> {
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [path.join(compiled, 'main.js')], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const match = /ready at (http:\/\/[^"\s]+\/graphql)/.exec(readFileSync(logFile, 'utf8'));
    if (match) return { url: match[1]!, child, logFile };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`a replica did not start:\n${readFileSync(logFile, 'utf8')}`);
}

async function stopReplica(replica: Replica): Promise<number | null> {
  if (replica.child.exitCode !== null) return replica.child.exitCode;
  const exited = new Promise<number | null>((resolve) => replica.child.once('exit', resolve));
  replica.child.kill('SIGTERM');
  return exited;
}

/** Milliseconds from the end of the load until the outbox holds nothing PENDING (or OUTBOX_DRAIN_MS). */
async function waitForOutbox(pool: import('pg').Pool, since: Date): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < OUTBOX_DRAIN_MS) {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Event" WHERE "status" = 'PENDING' AND "occurredAt" >= $1`, [since]);
    if (rows[0]!.n === '0') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

async function deleteStream(natsUrl: string, stream: string): Promise<void> {
  const connection = await connect({ servers: natsUrl });
  try {
    await (await jetstreamManager(connection)).streams.delete(stream);
  } catch {
    // never created: the replicas did not get that far
  } finally {
    await connection.close();
  }
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = connectRedis(redisUrl, { timeoutMs: 2_000, queueWhileConnecting: true });
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
  } finally {
    redis.disconnect();
  }
}

function report(
  operations: OperationSummary[],
  load: Awaited<ReturnType<typeof runMixedLoad>>,
  seconds: number,
  invariants: Invariant[],
  drainMs: number | undefined,
  logLines: number,
) {
  const total = operations.reduce((sum, o) => sum + o.requests, 0);
  const ms = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
  console.log(`\n${total} requests in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(1)} req/s over ${REPLICAS} replicas, ${CONNECTIONS} clients\n`);
  console.log('| operation | requests | req/s | p50 ms | p95 ms | p99 ms | outcomes |');
  console.log('|---|---|---|---|---|---|---|');
  for (const o of operations) {
    const outcomes = Object.entries(o.outcomes)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    console.log(`| ${o.operation} | ${o.requests} | ${o.requestsPerSecond.toFixed(1)} | ${ms(o.p50Ms)} | ${ms(o.p95Ms)} | ${ms(o.p99Ms)} | ${outcomes} |`);
  }
  console.log(
    `\nOrders confirmed: ${load.confirmedOrders.size}; status changes confirmed: ${load.confirmedTransitions}; retries on the next replica: ${load.retries}; keys never answered: ${load.unconfirmedKeys.length}`,
  );
  if (drainMs !== undefined) console.log(`Outbox drained ${drainMs} ms after the load stopped.`);
  console.log(`Request log lines written by the replicas: ${logLines}.\n\nInvariants:`);
  for (const i of invariants) console.log(`  ${i.held ? 'held  ' : 'BROKEN'} ${i.name}: ${i.detail}`);
}

function writeResults(results: Record<string, unknown> & { load: Awaited<ReturnType<typeof runMixedLoad>> }) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `mixed-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const { load, ...rest } = results;
  const summary = {
    ...rest,
    load: {
      confirmedOrders: load.confirmedOrders.size,
      confirmedTransitions: load.confirmedTransitions,
      retries: load.retries,
      unconfirmedKeys: load.unconfirmedKeys,
    },
    replicas: REPLICAS,
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    machine: { cpus: os.cpus().length, node: process.version },
  };
  writeFileSync(file, JSON.stringify(summary, null, 2));
  console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
