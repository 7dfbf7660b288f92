import { clientKeyOf } from '../auth/clientKey';
import type { Viewer } from '../auth/viewer';
import { RateLimitedError } from '../errors';
import { retryAfter, type BucketLimits, type BucketStore } from './tokenBucket';

export type RateTiers = Record<string, BucketLimits>;

/** One client's bucket: its key (API key, else user, else IP address) and its tier's limits. */
export interface Bucket {
  key: string;
  limits: BucketLimits;
}

/**
 * Cost-based rate limiting's buckets, per client and tier (BucketStore holds them, in process
 * or in Redis). The policy pipeline takes each operation's cost; the transports ask first
 * whether the bucket is empty, so that a client with nothing left is refused before its
 * document is even parsed.
 */
export class RateLimiter {
  constructor(
    readonly store: BucketStore,
    private readonly tiers: RateTiers,
  ) {}

  bucketOf(viewer: Viewer | null, clientAddress: string): Bucket {
    return { key: clientKeyOf(viewer, clientAddress), limits: this.tiers[this.tierOf(viewer)]! };
  }

  /** The tier whose limits apply: the viewer's, `standard` for a tier not configured, `anonymous` without a viewer. */
  tierOf(viewer: Viewer | null): string {
    const tier = viewer?.rateTier ?? 'anonymous';
    return tier in this.tiers ? tier : 'standard';
  }

  /** RATE_LIMITED when the client's bucket holds less than a point; nothing is taken. */
  async refuseIfEmpty(viewer: Viewer | null, clientAddress: string): Promise<RateLimitedError | undefined> {
    const { key, limits } = this.bucketOf(viewer, clientAddress);
    const { available } = await this.store.take(key, 0, limits);
    if (available >= 1) return undefined;
    return new RateLimitedError(1, Math.floor(available), retryAfter(1 - available, limits), limits.restoreRate);
  }
}

/**
 * What a request refused before it was priced takes (malformed, invalid, over a structural
 * limit): a point per 100 bytes of its document, at least one, since parsing and validating it
 * was work in proportion to its size, and sending refused requests must not be free.
 */
export function refusalPoints(documentBytes: number): number {
  return Math.max(1, Math.ceil(documentBytes / 100));
}
