/** Quotas count per UTC day and per UTC calendar month. */
export const QUOTA_PERIODS = ['day', 'month'] as const;
export type QuotaPeriodName = (typeof QUOTA_PERIODS)[number];

/** One period of a quota: which one, its first day (YYYY-MM-DD, UTC) and when it ends (ms since the epoch). */
export interface QuotaPeriod {
  name: QuotaPeriodName;
  start: string;
  resetAt: number;
}

export type ByPeriod<T> = Record<QuotaPeriodName, T>;

/** The day and the month that `now` (ms since the epoch) falls in, in UTC. */
export function quotaPeriodsAt(now: number): ByPeriod<QuotaPeriod> {
  const at = new Date(now);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const day = at.getUTCDate();
  return {
    day: { name: 'day', start: isoDate(Date.UTC(year, month, day)), resetAt: Date.UTC(year, month, day + 1) },
    month: { name: 'month', start: isoDate(Date.UTC(year, month, 1)), resetAt: Date.UTC(year, month + 1, 1) },
  };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
