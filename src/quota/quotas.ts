import type { Logger } from 'pino';
import type { Viewer } from '../auth/viewer';
import { QUOTA_PERIODS, quotaPeriodsAt, type ByPeriod, type QuotaPeriod, type QuotaPeriodName } from './quotaPeriods';
import type { QuotaStore } from './quotaStore';

/** A tier's quotas: the most cost per UTC day and per UTC month; absent or null: no limit in that period. */
export interface TierQuota {
  daily?: number | null;
  monthly?: number | null;
}
export type QuotaTiers = Record<string, TierQuota>;

/** Who a quota applies to (an API key) and its limits per period (null: none). */
export interface QuotaSubject {
  apiKeyId: number;
  tier: string;
  limits: ByPeriod<number | null>;
}

/** One period's figures, as `extensions.quota` reports them. */
export interface QuotaPeriodStatus {
  limit: number | null;
  used: number;
  /** null when the period has no limit. */
  remaining: number | null;
  /** When the period ends and its count starts again from 0 (ISO 8601, UTC). */
  resetAt: string;
}

/** The figures of both periods, and the tightest limited one (least remaining), if any. */
export function quotaStatus(subject: QuotaSubject, used: ByPeriod<number>, periods: ByPeriod<QuotaPeriod>) {
  const status = {} as ByPeriod<QuotaPeriodStatus>;
  let tightest: QuotaPeriodName | undefined;
  for (const name of QUOTA_PERIODS) {
    const limit = subject.limits[name];
    const remaining = limit === null ? null : Math.max(0, limit - used[name]);
    status[name] = { limit, used: used[name], remaining, resetAt: new Date(periods[name].resetAt).toISOString() };
    // Ties go to the later reset: the month, whose wait is the longer.
    if (remaining !== null && (tightest === undefined || remaining <= status[tightest].remaining!)) tightest = name;
  }
  return { status, tightest };
}

/**
 * A key's quota tier (its rate tier when QUOTA_TIERS configures one, else `standard`) and its
 * limits: its own overrides, else its tier's.
 */
export function quotaLimitsOf(
  tiers: QuotaTiers,
  rateTier: string,
  overrides: { daily: number | null; monthly: number | null },
): Pick<QuotaSubject, 'tier' | 'limits'> {
  const tier = Object.hasOwn(tiers, rateTier) ? rateTier : 'standard';
  const quota = tiers[tier] ?? {};
  return { tier, limits: { day: overrides.daily ?? quota.daily ?? null, month: overrides.monthly ?? quota.monthly ?? null } };
}

/**
 * Daily and monthly cost quotas of API keys: the limits of a key (its own overrides, else its
 * tier's), and its usage in a shared store (PostgreSQL or Redis), so that every replica counts
 * against one total. The store failing never fails a request: quotas fail open, with a warning
 * logged at most once a minute, since refusing every API key because a counter is unreachable
 * would turn a bookkeeping outage into a full one. Charges are written off the response path;
 * `settled()` waits for those still running (shutdown).
 */
export class Quotas {
  private readonly pending = new Set<Promise<unknown>>();
  private lastWarning = Number.NEGATIVE_INFINITY;

  constructor(
    readonly store: QuotaStore,
    private readonly tiers: QuotaTiers,
    private readonly logger: Logger,
    /** The clock periods are counted by (ms since the epoch); injectable so tests can cross a UTC midnight. */
    readonly now: () => number = Date.now,
  ) {}

  /** The quota subject of a viewer: API keys only (users and anonymous clients have rate limits alone). */
  subjectOf(viewer: Viewer | null): QuotaSubject | undefined {
    const key = viewer?.apiKey;
    if (!key) return undefined;
    return { apiKeyId: key.id, ...quotaLimitsOf(this.tiers, viewer.rateTier, key.quota) };
  }

  /** The key's usage in the periods given, or undefined when the store cannot say (logged). */
  async usage(apiKeyId: number, periods: ByPeriod<QuotaPeriod>): Promise<ByPeriod<number> | undefined> {
    try {
      return await this.store.read(apiKeyId, periods);
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  /** Adds `cost` to the key's periods, off the caller's path: never awaited by a response, a failure logged. */
  charge(apiKeyId: number, cost: number, periods: ByPeriod<QuotaPeriod>): void {
    const write = this.store.charge(apiKeyId, cost, periods, this.now()).catch((error: unknown) => this.warn(error, cost));
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** The periods `now` falls in. */
  periods(): ByPeriod<QuotaPeriod> {
    return quotaPeriodsAt(this.now());
  }

  /** Resolves once every charge started so far is written (or has failed). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Deletes periods long past from a store where they do not expire by themselves (PostgreSQL). */
  async deleteExpired(): Promise<number> {
    return (await this.store.deleteExpired?.(this.now())) ?? 0;
  }

  async close(): Promise<void> {
    await this.settled();
    await this.store.close();
  }

  private warn(error: unknown, uncharged?: number): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(
      { err: error, ...(uncharged !== undefined ? { uncharged } : {}) },
      'the quota store is unavailable: quotas are not enforced (and costs not counted) until it answers again',
    );
  }
}
