import type { Config } from '../config';
import { RedisResponseCacheStore } from './redisResponseCacheStore';

/** One cached response: its data as JSON text, with what decides whether it may still be served. */
export interface CachedResponse {
  /** `data` as JSON text: parsed again for each hit, so no request can change another's copy. */
  data: string;
  /** The response's ETag (see httpCaching.ts), kept so that a hit needs no hashing. */
  etag: string;
  /** When it was stored (ms since the epoch). */
  storedAt: number;
  /** Seconds it stays fresh from then. */
  maxAge: number;
  /** The generation of each of its tags when the request that produced it began. */
  generations: number[];
}

export interface CacheLookup {
  entry: CachedResponse | undefined;
  /** The current generation of each tag asked for, in order. */
  generations: number[];
}

/**
 * Where the response cache keeps its entries and the generation of each invalidation tag. An
 * entry is valid while the generations it was made under are current: invalidating a tag
 * bumps its generation, which retires every entry made before, wherever it is stored, and an
 * execution that read the database before a change can never store its result as current.
 */
export interface ResponseCacheStore {
  /** The entry under `key` and the current generations of `tags`, read together. */
  read(key: string, tags: readonly string[]): Promise<CacheLookup>;
  /** Stores `entry` for `ttlMs` (freshness plus the stale-if-error window). */
  write(key: string, entry: CachedResponse, ttlMs: number): Promise<void>;
  /** Retires every entry made under the current generation of any of `tags`. */
  invalidate(tags: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store the settings ask for: none (RESPONSE_CACHE=off), Redis (REDIS_URL), else this
 * process's, which is also returned as `memory` for the size gauge.
 */
export function createResponseCacheStore(
  settings: Config['responseCache'],
  now?: () => number,
): { store: ResponseCacheStore | undefined; memory: MemoryResponseCacheStore | undefined } {
  if (!settings.enabled) return { store: undefined, memory: undefined };
  if (settings.redisUrl) return { store: new RedisResponseCacheStore(settings.redisUrl, settings.redisPrefix), memory: undefined };
  const memory = new MemoryResponseCacheStore(settings.maxBytes, now);
  return { store: memory, memory };
}

/** Bookkeeping per entry, beyond its text: what the byte bound charges each entry. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * In this process: a least-recently-used map bounded by bytes (JSON text at two bytes a
 * character plus a fixed overhead), expired entries dropped when met. The generations are
 * counters in a map of the few tags the schema declares (see invalidation.ts).
 */
export class MemoryResponseCacheStore implements ResponseCacheStore {
  private readonly entries = new Map<string, { entry: CachedResponse; expiresAt: number; bytes: number }>();
  private readonly generations = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held and their bytes, for the metrics. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  async read(key: string, tags: readonly string[]): Promise<CacheLookup> {
    const generations = tags.map((tag) => this.generations.get(tag) ?? 0);
    const held = this.entries.get(key);
    if (!held) return { entry: undefined, generations };
    if (held.expiresAt <= this.now()) {
      this.remove(key);
      return { entry: undefined, generations };
    }
    // Most recently used last: eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, held);
    return { entry: held.entry, generations };
  }

  async write(key: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    const bytes = ENTRY_OVERHEAD_BYTES + 2 * (key.length + entry.data.length + entry.etag.length);
    this.remove(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { entry, expiresAt: this.now() + ttlMs, bytes });
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.generations.set(tag, (this.generations.get(tag) ?? 0) + 1);
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const held = this.entries.get(key);
    if (!held) return;
    this.entries.delete(key);
    this.bytes -= held.bytes;
  }
}
