import type Redis from 'ioredis';
import { connectRedis } from '../db/redisClient';
import type { CacheLookup, CachedResponse, ResponseCacheStore } from './responseCacheStore';

/**
 * The response cache in Redis, shared by every gateway replica: entries under `<prefix>e:<key>`
 * with a TTL, generations under `<prefix>g:<tag>`, so that an invalidation by one replica
 * retires the entries of all at once. A read is one MGET (the entry and its tags'
 * generations); an invalidation one INCR per tag. Commands time out quickly and are not
 * queued while Redis is away: the caller treats a failure as a bypass, never as an error for
 * the client. Redis bounds the memory (maxmemory with an eviction policy, in production).
 */
export class RedisResponseCacheStore implements ResponseCacheStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    timeoutMs = 250,
  ) {
    this.redis = connectRedis(url, { timeoutMs });
  }

  async read(key: string, tags: readonly string[]): Promise<CacheLookup> {
    const [entry, ...generations] = await this.redis.mget(this.prefix + 'e:' + key, ...tags.map((tag) => this.prefix + 'g:' + tag));
    return { entry: entry ? (JSON.parse(entry) as CachedResponse) : undefined, generations: generations.map((value) => Number(value ?? 0)) };
  }

  async write(key: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + 'e:' + key, JSON.stringify(entry), 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const tag of tags) pipeline.incr(this.prefix + 'g:' + tag);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
