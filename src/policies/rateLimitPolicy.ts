import { QueryTooComplexError, RateLimitedError } from '../errors';
import type { Policy } from '../pipeline/pipeline';
import { isSharedResponse } from '../caching/httpCaching';
import { refusalPoints, type RateLimiter } from '../rateLimit/rateLimiter';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/**
 * Cost-based rate limiting, as Shopify does it: each client (API key, else user, else IP
 * address) has a bucket of points sized by its tier. The estimated cost is taken before
 * execution; over the limit the request fails with 429 RATE_LIMITED and Retry-After. After
 * execution the difference between estimate and actual cost is refunded, off the response
 * path. An operation costing more than the client's whole bucket could never run: it is
 * QUERY_TOO_COMPLEX, not a 429 to retry in vain. A request refused by an earlier step takes
 * points in proportion to its document (see refusalPoints), so that sending refused requests
 * is not free. Every response reports the throttle status in `extensions.cost.throttleStatus`,
 * but a public one (isSharedResponse), which caches may serve to other clients.
 */
export function rateLimitPolicy(limiter: RateLimiter): Policy {
  const { store } = limiter;
  return {
    name: 'rateLimit',
    async prepare(state) {
      const { key, limits } = limiter.bucketOf(state.viewer, state.clientAddress);
      const points = Math.max(1, state.cost?.requestedQueryCost ?? 1);
      if (points > limits.bucketSize) {
        const { available } = await store.take(key, 0, limits);
        state.throttle = { key, limits, points: 0, available };
        throw new QueryTooComplexError(points, limits.bucketSize);
      }
      const result = await store.take(key, points, limits);
      state.throttle = { key, limits, points: result.allowed ? points : 0, available: result.available };
      if (!result.allowed) throw new RateLimitedError(points, result.available, result.retryAfterSeconds, limits.restoreRate);
    },
    async complete(state, body) {
      if (!state.throttle) {
        // Refused before it was priced: what is left is taken, up to its refusal's points, so
        // that refusals drain an almost empty bucket too (a take larger than what is left
        // would take nothing).
        const { key, limits } = limiter.bucketOf(state.viewer, state.clientAddress);
        const { available } = await store.take(key, 0, limits);
        const points = Math.min(refusalPoints(state.documentBytes), Math.floor(available));
        const result = points > 0 ? await store.take(key, points, limits) : { available };
        state.throttle = { key, limits, points: 0, available: result.available };
      }
      const { key, limits, points, available } = state.throttle;
      const actual = state.cost?.actualQueryCost;
      const refund = actual === undefined ? 0 : Math.max(0, points - actual);
      if (refund > 0) void store.refund(key, refund, limits).catch(() => undefined);
      // A response shared caches may serve to anyone carries nothing about its client.
      if (isSharedResponse(state, body)) return;
      const throttleStatus: ThrottleStatus = {
        maximumAvailable: limits.bucketSize,
        currentlyAvailable: Math.min(limits.bucketSize, available + refund),
        restoreRate: limits.restoreRate,
      };
      body.extensions = { ...body.extensions, cost: { ...(body.extensions?.cost as object | undefined), throttleStatus } };
    },
  };
}
