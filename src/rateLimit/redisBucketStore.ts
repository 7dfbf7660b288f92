import type Redis from 'ioredis';
import { connectRedis } from '../db/redisClient';
import type { Logger } from 'pino';
import { MemoryBucketStore, type BucketLimits, type BucketStore, type TakeResult } from './tokenBucket';

/**
 * Both scripts run atomically in Redis, on Redis's clock, so that several gateway replicas
 * share one budget per client. KEYS[1] is the bucket; ARGV points, bucketSize, restoreRate
 * (points per second). This part refills the bucket to now; SAVE stores it with an expiry
 * for when it would be full again (a missing bucket is a full one).
 */
const REFILL = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local points, size, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or size
local at = tonumber(state[2]) or nowMs
tokens = math.min(size, tokens + (math.max(0, nowMs - at) / 1000) * rate)
`;
const SAVE = `
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', nowMs)
redis.call('PEXPIRE', KEYS[1], math.ceil((size - tokens) / rate * 1000) + 1000)
`;

/** Takes `points` if the bucket holds them; returns {allowed, available, retryAfterSeconds}. */
const TAKE = `${REFILL}
local cost = points
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.max(1, math.ceil((cost - tokens) / rate))
end
${SAVE}
return {allowed, math.floor(tokens), retry}
`;

/** Gives back `points`, up to the bucket size; returns the points now available. */
const REFUND = `${REFILL}
tokens = math.min(size, tokens + points)
${SAVE}
return math.floor(tokens)
`;

type BucketCommands = Redis & {
  takeFromBucket(key: string, cost: number, size: number, rate: number): Promise<[number, number, number]>;
  refundToBucket(key: string, points: number, size: number, rate: number): Promise<number>;
};

/**
 * Redis-backed buckets. When Redis does not answer within `timeoutMs` (down, unreachable,
 * overloaded), each call falls back to this process's own buckets and logs a warning at most
 * once a minute: requests are still limited, per replica, and never fail or hang on Redis.
 */
export class RedisBucketStore implements BucketStore {
  private readonly redis: BucketCommands;
  private readonly fallback = new MemoryBucketStore();
  private lastWarning = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly prefix: string,
    timeoutMs = 250,
  ) {
    this.redis = connectRedis(url, { timeoutMs }) as BucketCommands; // failures: the fallback warning
    this.redis.defineCommand('takeFromBucket', { numberOfKeys: 1, lua: TAKE });
    this.redis.defineCommand('refundToBucket', { numberOfKeys: 1, lua: REFUND });
  }

  async take(key: string, cost: number, limits: BucketLimits): Promise<TakeResult> {
    try {
      const [allowed, available, retryAfterSeconds] = await this.redis.takeFromBucket(this.prefix + key, cost, limits.bucketSize, limits.restoreRate);
      return { allowed: allowed === 1, available, retryAfterSeconds };
    } catch (error) {
      this.warn(error);
      return this.fallback.take(key, cost, limits);
    }
  }

  async refund(key: string, points: number, limits: BucketLimits): Promise<number> {
    try {
      return await this.redis.refundToBucket(this.prefix + key, points, limits.bucketSize, limits.restoreRate);
    } catch (error) {
      this.warn(error);
      return this.fallback.refund(key, points, limits);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn({ err: error }, 'Redis is unavailable for rate limiting: using per-process limits until it answers again');
  }
}
