import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type Redis from 'ioredis';
import { connectRedis } from '../db/redisClient';
import type { Logger } from 'pino';
import type { Config } from '../config';

/**
 * What an entry of the in-process store costs beyond its document's text: the 64-character hash
 * key and the LRU's bookkeeping. Counted so that many tiny documents cannot hold more memory than
 * PERSISTED_QUERIES_MAX_BYTES says.
 */
export const ENTRY_OVERHEAD_BYTES = 300;

/** Where automatic persisted queries are kept: Apollo Server's `persistedQueries` option. */
export interface ApqStore {
  cache: KeyValueCache<string>;
  /** Seconds a registered document is kept. */
  ttl: number;
  close(): Promise<void>;
}

/**
 * The APQ store PERSISTED_QUERIES_* and REDIS_URL describe, or undefined when APQ is off. Only
 * documents that parsed, validated and passed the policies are registered (Apollo Server stores a
 * document after its didResolveOperation hooks, where the pipeline runs), each at most
 * MAX_DOCUMENT_BYTES (the edge refuses larger ones) and under the SHA-256 of its own text.
 */
export function createApqStore(settings: Config['persistedQueries'], logger: Logger): ApqStore | undefined {
  if (!settings.enabled) return undefined;
  if (settings.redisUrl) return new RedisDocumentStore(settings.redisUrl, settings.redisPrefix, settings.ttlSeconds, logger);
  return {
    cache: new InMemoryLRUCache<string>({
      maxSize: settings.maxBytes,
      sizeCalculation: (document: string) => Buffer.byteLength(document) + ENTRY_OVERHEAD_BYTES,
    }),
    ttl: settings.ttlSeconds,
    close: async () => undefined,
  };
}

/**
 * APQ documents in Redis, shared by every replica: one string key per document, `<prefix>apq:<hash>`
 * (Apollo Server adds `apq:`),
 * each with a TTL, so that what an attacker registers expires (give Redis a `maxmemory` and a
 * `volatile-*` eviction policy to bound it in bytes too). Redis that does not answer is a miss
 * (the client sends the query again) and a failed registration is logged: a request never fails,
 * nor waits more than `timeoutMs`, on Redis.
 */
export class RedisDocumentStore implements ApqStore, KeyValueCache<string> {
  private readonly redis: Redis;
  private lastWarning = 0;
  readonly cache: KeyValueCache<string> = this;

  constructor(
    url: string,
    private readonly prefix: string,
    readonly ttl: number,
    private readonly logger: Logger,
    timeoutMs = 250,
  ) {
    this.redis = connectRedis(url, { timeoutMs, queueWhileConnecting: true }); // failures: warn(), at most once a minute
  }

  async get(hash: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + hash)) ?? undefined;
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  async set(hash: string, document: string, options?: KeyValueCacheSetOptions): Promise<void> {
    try {
      await this.redis.set(this.prefix + hash, document, 'EX', Math.max(1, Math.round(options?.ttl ?? this.ttl)));
    } catch (error) {
      this.warn(error);
    }
  }

  async delete(hash: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + hash)) > 0;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn({ err: error }, 'Redis did not answer for the persisted-query store: automatic persisted queries miss until it does');
  }
}
