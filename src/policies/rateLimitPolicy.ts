import { clientKeyOf } from '../auth/clientKey';
import { RateLimitedError } from '../errors';
import type { Policy } from '../pipeline/pipeline';
import type { RequestState } from '../pipeline/requestState';
import type { BucketLimits, BucketStore } from '../rateLimit/tokenBucket';

export type RateTiers = Record<string, BucketLimits>;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** What a request refused before it was priced (malformed, over a limit, too complex) takes: its analysis was work too. */
const REFUSAL_POINTS = 1;

/**
 * Cost-based rate limiting, as Shopify does it: each client (API key, else user, else IP
 * address) has a bucket of points sized by its tier. The estimated cost is taken before
 * execution; over the limit the request fails with 429 RATE_LIMITED and Retry-After. After
 * execution the difference between estimate and actual cost is refunded, off the response
 * path. A request refused by an earlier step takes one point, so that sending refused
 * requests is not free. Every response reports the throttle status in
 * `extensions.cost.throttleStatus`.
 */
export function rateLimitPolicy(store: BucketStore, tiers: RateTiers): Policy {
  const bucketOf = (state: RequestState) => ({
    key: clientKeyOf(state.viewer, state.clientAddress),
    limits: tiers[state.viewer?.rateTier ?? 'anonymous'] ?? tiers.standard!,
  });
  return {
    name: 'rateLimit',
    async prepare(state) {
      const { key, limits } = bucketOf(state);
      const points = Math.max(1, state.cost?.requestedQueryCost ?? 1);
      const result = await store.take(key, points, limits);
      state.throttle = { key, limits, points: result.allowed ? points : 0, available: result.available };
      if (!result.allowed) throw new RateLimitedError(points, result.available, result.retryAfterSeconds, limits.restoreRate);
    },
    async complete(state, body) {
      if (!state.throttle) {
        const { key, limits } = bucketOf(state);
        const result = await store.take(key, REFUSAL_POINTS, limits);
        state.throttle = { key, limits, points: 0, available: result.available };
      }
      const { key, limits, points, available } = state.throttle;
      const actual = state.cost?.actualQueryCost;
      const refund = actual === undefined ? 0 : Math.max(0, points - actual);
      if (refund > 0) void store.refund(key, refund, limits).catch(() => undefined);
      const throttleStatus: ThrottleStatus = {
        maximumAvailable: limits.bucketSize,
        currentlyAvailable: Math.min(limits.bucketSize, available + refund),
        restoreRate: limits.restoreRate,
      };
      body.extensions = { ...body.extensions, cost: { ...(body.extensions?.cost as object | undefined), throttleStatus } };
    },
  };
}
