import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import Redis from 'ioredis';
import { connectDatabase, type Database } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrations';
import { SEED_SIZES, seedDatabase } from '../../src/db/seed';
import { eventStreamConfig } from './eventStreams';
import { startGatewayProcess, waitForUrl, type SpawnedProcess } from './gatewayProcess';
import { createThrowawayDatabase, DEFAULT_DATABASE_TIMEOUTS } from './testDatabases';
import { TEST_AUTH_ENV } from './tokens';

export interface Replica {
  readonly name: string;
  /** The /graphql URL; the same across restarts (each start reuses the first one's port). */
  url: string;
  /** The process serving now; `processes` keeps every one it has had, with their output. */
  current: SpawnedProcess;
  readonly processes: SpawnedProcess[];
}

export interface StreamMessage {
  seq: number;
  subject: string;
  msgId: string | undefined;
  body: { id: string; type: string; payload: Record<string, unknown> };
}

export interface ReplicaSet {
  readonly replicas: [Replica, Replica];
  /** A connection of the test's own to the replicas' database. */
  readonly db: Database;
  readonly databaseUrl: string;
  readonly stream: string;
  /** SIGTERMs the replica's process and resolves to its exit code once it has exited. */
  stop(replica: Replica): Promise<number | null>;
  /** Starts the replica again on its port and resolves once it is ready. */
  start(replica: Replica): Promise<void>;
  /** Everything every process of either replica has written so far. */
  output(): string;
  /** Every message of the stream, in order. */
  streamMessages(): Promise<StreamMessage[]>;
  /**
   * Kills what still runs, deletes the stream and the Redis keys, drops the database: every
   * step, even after one failed (then it rejects with every failure).
   */
  close(): Promise<void>;
}

/**
 * Two gateway processes on one PostgreSQL, Redis and NATS, the servers DATABASE_URL, REDIS_URL
 * and NATS_URL name, sharing nothing with anyone else: a throwaway database (migrated and
 * seeded), Redis keys under a prefix of their own, and a JetStream stream and subjects of
 * their own, created before the gateways start with JetStream's smallest duplicate window so
 * that an event published twice, even a second apart, is two messages there.
 */
export async function startReplicaSet(env: Record<string, string>): Promise<ReplicaSet> {
  const run = randomUUID().replace(/-/g, '');
  const stream = `REPLICAS_${run}`;
  const subjectPrefix = `replicas.${run}`;
  const redisPrefix = `replicas-test:${run}:`;
  const database = await createThrowawayDatabase(process.env.DATABASE_URL!, 'gateway_replicas');
  const db = connectDatabase({ connectionString: database.url, poolSize: 4, timeouts: DEFAULT_DATABASE_TIMEOUTS });
  let nats: NatsConnection | undefined;
  let manager: JetStreamManager | undefined;
  let streamCreated = false;
  const replicas: Replica[] = [];
  const close = async () => {
    const failures: unknown[] = [];
    const step = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
      }
    };
    for (const replica of replicas) for (const spawned of replica.processes) spawned.kill();
    await Promise.all(replicas.flatMap((replica) => replica.processes.map((spawned) => spawned.exited)));
    if (streamCreated) await step(() => manager!.streams.delete(stream));
    if (nats) await step(() => nats!.close());
    await step(() => deleteRedisKeys(process.env.REDIS_URL!, redisPrefix));
    await step(() => db.close());
    await step(() => database.drop());
    if (failures.length > 0) throw new AggregateError(failures, `the replica set did not close cleanly: ${failures.map(String).join('; ')}`);
  };
  try {
    await applyMigrations(db.pool);
    await seedDatabase(db.prisma, SEED_SIZES.demo);
    nats = await connect({ servers: process.env.NATS_URL! });
    manager = await jetstreamManager(nats);
    await manager.streams.add(eventStreamConfig(stream, subjectPrefix));
    streamCreated = true;

    const shared = {
      ...TEST_AUTH_ENV,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL!,
      RATE_LIMIT_REDIS_PREFIX: `${redisPrefix}ratelimit:`,
      RESPONSE_CACHE_REDIS_PREFIX: `${redisPrefix}cache:`,
      PERSISTED_QUERIES_REDIS_PREFIX: `${redisPrefix}apq:`,
      QUOTA_REDIS_PREFIX: `${redisPrefix}quota:`,
      NATS_URL: process.env.NATS_URL!,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: subjectPrefix,
      ...env,
    };
    const launch = async (port: string) => {
      const spawned = startGatewayProcess({ ...shared, PORT: port });
      const url = await waitForUrl(spawned);
      return { spawned, url };
    };
    const started = await Promise.all([launch('0'), launch('0')]);
    for (const [i, { spawned, url }] of started.entries()) replicas.push({ name: 'AB'[i]!, url, current: spawned, processes: [spawned] });

    return {
      replicas: replicas as [Replica, Replica],
      db,
      databaseUrl: database.url,
      stream,
      async stop(replica) {
        replica.current.child.kill('SIGTERM');
        return replica.current.exited;
      },
      async start(replica) {
        const { spawned, url } = await launch(new URL(replica.url).port);
        replica.processes.push(spawned);
        replica.current = spawned;
        replica.url = url;
      },
      output: () => replicas.flatMap((replica) => replica.processes.map((spawned) => spawned.output())).join('\n'),
      async streamMessages() {
        const { state } = await manager!.streams.info(stream);
        if (state.messages === 0) return [];
        const seqs = Array.from({ length: state.last_seq - state.first_seq + 1 }, (_, i) => state.first_seq + i);
        const messages: StreamMessage[] = [];
        // A few requests at a time: thousands of them one after the other would take seconds.
        for (let i = 0; i < seqs.length; i += 50) {
          const batch = await Promise.all(seqs.slice(i, i + 50).map((seq) => manager!.streams.getMessage(stream, { seq })));
          for (const message of batch) {
            if (!message) continue;
            messages.push({ seq: message.seq, subject: message.subject, msgId: message.header?.get('Nats-Msg-Id'), body: message.json() });
          }
        }
        return messages;
      },
      close,
    };
  } catch (error) {
    // The start's failure is the one to report; a failure to clean up after it would hide it.
    await close().catch(() => undefined);
    throw error;
  }
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
