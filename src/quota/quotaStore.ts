import type { ByPeriod, QuotaPeriod } from './quotaPeriods';

/**
 * Where the cost each API key consumed per period is kept: in PostgreSQL or in Redis, so that
 * every replica of the gateway adds to, and reads, the same counts.
 */
export interface QuotaStore {
  /** The cost consumed so far in the day and the month given. */
  read(apiKeyId: number, periods: ByPeriod<QuotaPeriod>): Promise<ByPeriod<number>>;
  /** Adds `cost` to both periods, atomically for each; resolves to the new totals. */
  charge(apiKeyId: number, cost: number, periods: ByPeriod<QuotaPeriod>, now: number): Promise<ByPeriod<number>>;
  /** Forgets periods long past, where they do not expire by themselves; resolves to how many were deleted. */
  deleteExpired?(now: number): Promise<number>;
  close(): Promise<void>;
}
