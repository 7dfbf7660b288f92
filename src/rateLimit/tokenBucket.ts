/** A bucket of cost points: holds up to `bucketSize`, refills at `restoreRate` points a second. */
export interface BucketLimits {
  bucketSize: number;
  restoreRate: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Points left after this take (or available now, when refused). */
  available: number;
  /** When refused: seconds until enough points have been restored. */
  retryAfterSeconds: number;
}

/** Where buckets live: this process, or Redis so that every replica shares one budget. */
export interface BucketStore {
  /** Takes `cost` points if the bucket holds them, atomically. */
  take(key: string, cost: number, limits: BucketLimits): Promise<TakeResult>;
  /** Gives back points charged for work that did not happen (estimate above actual). */
  refund(key: string, points: number, limits: BucketLimits): Promise<number>;
  close(): Promise<void>;
}

/** The refill arithmetic both stores share (the Redis Lua script mirrors it). */
export function refill(tokens: number, elapsedMs: number, limits: BucketLimits): number {
  return Math.min(limits.bucketSize, tokens + (elapsedMs / 1000) * limits.restoreRate);
}

export function retryAfter(missing: number, limits: BucketLimits): number {
  return Math.max(1, Math.ceil(missing / limits.restoreRate));
}

/**
 * Buckets in this process's memory: the default. Past `maxBuckets`, the least recently used
 * bucket is dropped (and would start full again): for a client to regain points that way,
 * `maxBuckets` other clients must have been seen since its last request.
 */
export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxBuckets = 100_000,
  ) {}

  async take(key: string, cost: number, limits: BucketLimits): Promise<TakeResult> {
    const tokens = this.current(key, limits);
    if (tokens < cost) {
      this.store(key, tokens);
      return { allowed: false, available: Math.floor(tokens), retryAfterSeconds: retryAfter(cost - tokens, limits) };
    }
    this.store(key, tokens - cost);
    return { allowed: true, available: Math.floor(tokens - cost), retryAfterSeconds: 0 };
  }

  async refund(key: string, points: number, limits: BucketLimits): Promise<number> {
    const tokens = Math.min(limits.bucketSize, this.current(key, limits) + points);
    this.store(key, tokens);
    return Math.floor(tokens);
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  private current(key: string, limits: BucketLimits): number {
    const bucket = this.buckets.get(key);
    return bucket ? refill(bucket.tokens, this.now() - bucket.at, limits) : limits.bucketSize;
  }

  private store(key: string, tokens: number): void {
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, { tokens, at: this.now() });
  }
}
