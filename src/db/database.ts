import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

/** What the database driver has actually sent: the ground truth for batching tests and benchmarks. */
export interface DriverStats {
  statements: number;
}

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  stats: DriverStats;
  /** True when a trivial query answers within `timeoutMs`. */
  isReachable(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  connectionString: string;
  poolSize: number;
}

export function connectDatabase({ connectionString, poolSize }: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  const stats = countStatements(pool);
  // An idle client can lose its connection (database restart): log-worthy, never fatal.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    stats,
    async isReachable(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const probe = pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/**
 * Counts every statement each pooled connection sends, by wrapping `client.query` once per
 * connection (not per query), so Prisma's queries, transactions and raw SQL are all seen.
 */
function countStatements(pool: pg.Pool): DriverStats {
  const stats: DriverStats = { statements: 0 };
  pool.on('connect', (client) => {
    const query = client.query;
    client.query = function countedQuery(this: pg.PoolClient, ...args: unknown[]) {
      stats.statements += 1;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof client.query;
  });
  return stats;
}
