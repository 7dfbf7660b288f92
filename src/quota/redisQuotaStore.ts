import type Redis from 'ioredis';
import { connectRedis } from '../db/redisClient';
import type { ByPeriod, QuotaPeriod } from './quotaPeriods';
import type { QuotaStore } from './quotaStore';

/** Kept this long past its period's end: replicas' clocks may differ a little. */
const GRACE_SECONDS = 3_600;

/**
 * Usage in Redis: one counter per key and period (`<prefix><apiKeyId>:day:2026-11-27`,
 * `<prefix><apiKeyId>:month:2026-11-01`), added to with INCRBY, which is atomic, and expiring
 * after its period. The expiry is relative (EXPIRE, from the gateway's clock) rather than
 * EXPIREAT: the counter then lives as long as its period whatever Redis's clock says.
 * Commands that Redis does not answer within `timeoutMs` fail; the caller decides (quotas fail
 * open: see Quotas).
 */
export class RedisQuotaStore implements QuotaStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    timeoutMs = 250,
  ) {
    this.redis = connectRedis(url, { timeoutMs, queueWhileConnecting: true });
  }

  async read(apiKeyId: number, periods: ByPeriod<QuotaPeriod>): Promise<ByPeriod<number>> {
    const [day, month] = await this.redis.mget(this.keyOf(apiKeyId, periods.day), this.keyOf(apiKeyId, periods.month));
    return { day: Number(day ?? 0), month: Number(month ?? 0) };
  }

  async charge(apiKeyId: number, cost: number, periods: ByPeriod<QuotaPeriod>, now: number): Promise<ByPeriod<number>> {
    const ttl = (period: QuotaPeriod) => Math.max(1, Math.ceil((period.resetAt - now) / 1000)) + GRACE_SECONDS;
    const day = this.keyOf(apiKeyId, periods.day);
    const month = this.keyOf(apiKeyId, periods.month);
    const results = await this.redis.multi().incrby(day, cost).expire(day, ttl(periods.day)).incrby(month, cost).expire(month, ttl(periods.month)).exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error('the quota transaction was discarded');
    return { day: Number(results[0]![1]), month: Number(results[2]![1]) };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private keyOf(apiKeyId: number, period: QuotaPeriod): string {
    return `${this.prefix}${apiKeyId}:${period.name}:${period.start}`;
  }
}
