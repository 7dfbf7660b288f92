import type pg from 'pg';
import { uncountedQuery } from '../db/uncountedQuery';
import type { ByPeriod, QuotaPeriod } from './quotaPeriods';
import type { QuotaStore } from './quotaStore';

const READ = `
  SELECT "period", "cost"::text AS "cost" FROM "QuotaUsage"
  WHERE "apiKeyId" = $1 AND (("period" = 'day' AND "periodStart" = $2::date) OR ("period" = 'month' AND "periodStart" = $3::date))`;

/** One statement, atomic per row: concurrent charges from any replica add up, none is lost. */
const CHARGE = `
  INSERT INTO "QuotaUsage" ("apiKeyId", "period", "periodStart", "cost", "updatedAt")
  VALUES ($1, 'day', $2::date, $4, now()), ($1, 'month', $3::date, $4, now())
  ON CONFLICT ("apiKeyId", "period", "periodStart")
  DO UPDATE SET "cost" = "QuotaUsage"."cost" + EXCLUDED."cost", "updatedAt" = EXCLUDED."updatedAt"
  RETURNING "period", "cost"::text AS "cost"`;

/** Days are kept 92 days (for `usage` and reports), months 13 months; then deleted by the sweep. */
const DELETE_EXPIRED = `
  DELETE FROM "QuotaUsage"
  WHERE ("period" = 'day' AND "periodStart" < $1::date) OR ("period" = 'month' AND "periodStart" < $2::date)`;
const DAY_MS = 86_400_000;

/**
 * Usage in the QuotaUsage table, one row per key and period. Its statements go through the pool
 * outside the requests' statement counts (uncountedQuery): they are the gateway's bookkeeping,
 * not the operation's work.
 */
export class PostgresQuotaStore implements QuotaStore {
  constructor(private readonly pool: pg.Pool) {}

  async read(apiKeyId: number, periods: ByPeriod<QuotaPeriod>): Promise<ByPeriod<number>> {
    const { rows } = await uncountedQuery<{ period: string; cost: string }>(this.pool, READ, [apiKeyId, periods.day.start, periods.month.start]);
    return totalsOf(rows);
  }

  async charge(apiKeyId: number, cost: number, periods: ByPeriod<QuotaPeriod>): Promise<ByPeriod<number>> {
    const { rows } = await uncountedQuery<{ period: string; cost: string }>(this.pool, CHARGE, [apiKeyId, periods.day.start, periods.month.start, cost]);
    return totalsOf(rows);
  }

  async deleteExpired(now: number): Promise<number> {
    const at = new Date(now);
    const days = new Date(now - 92 * DAY_MS).toISOString().slice(0, 10);
    const months = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 13, 1)).toISOString().slice(0, 10);
    const { rowCount } = await uncountedQuery(this.pool, DELETE_EXPIRED, [days, months]);
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    // The pool is the database's, closed with it.
  }
}

function totalsOf(rows: Array<{ period: string; cost: string }>): ByPeriod<number> {
  const totals = { day: 0, month: 0 };
  for (const row of rows) if (row.period === 'day' || row.period === 'month') totals[row.period] = Number(row.cost);
  return totals;
}
