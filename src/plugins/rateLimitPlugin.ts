import type { ApolloServerPlugin } from '@apollo/server';
import { clientKeyOf } from '../auth/clientKey';
import type { GraphQLContext } from '../context/GraphQLContext';
import { RateLimitedError } from '../errors';
import type { BucketLimits, BucketStore } from '../rateLimit/tokenBucket';
import { requestCosts } from './complexityPlugin';

export type RateTiers = Record<string, BucketLimits>;

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
 * path. Every response reports the throttle status in extensions.cost.throttleStatus.
 *
 * Runs after the complexity plugin, whose estimate it charges and whose actual cost (set in
 * its willSendResponse, which completes synchronously first) it refunds against.
 */
export function rateLimitPlugin(store: BucketStore, tiers: RateTiers): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let charge: { key: string; limits: BucketLimits; points: number; available: number } | undefined;
      // Apollo settles didResolveOperation as soon as one plugin throws (too complex): the
      // response waits for this take anyway, so that its throttle status is known.
      let taking: Promise<void> | undefined;
      return {
        async didResolveOperation({ contextValue }) {
          taking = (async () => {
            const cost = requestCosts.get(contextValue);
            const { key, tier } = clientOf(contextValue);
            const limits = tiers[tier] ?? tiers.standard!;
            // Refused as too complex: nothing is taken (a take of 0 reads the bucket for the
            // throttle status). Not estimable (bad variables): it still costs a point.
            const refused = cost !== undefined && cost.requestedQueryCost > cost.maximumQueryCost;
            const points = refused ? 0 : Math.max(1, cost?.requestedQueryCost ?? 1);
            const result = await store.take(key, points, limits);
            charge = { key, limits, points: result.allowed ? points : 0, available: result.available };
            if (!result.allowed) {
              throw new RateLimitedError(points, result.available, result.retryAfterSeconds, limits.restoreRate);
            }
          })();
          await taking;
        },
        async willSendResponse({ response, contextValue }) {
          await taking?.catch(() => undefined);
          if (response.body.kind !== 'single') return;
          if (!charge) {
            // Refused before the operation was resolved (a parse or validation error): nothing
            // was taken, but the client still learns where its bucket stands.
            const { key, tier } = clientOf(contextValue);
            const limits = tiers[tier] ?? tiers.standard!;
            const { available } = await store.take(key, 0, limits);
            charge = { key, limits, points: 0, available };
          }
          const actual = requestCosts.get(contextValue)?.actualQueryCost;
          const refund = actual === undefined ? 0 : Math.max(0, charge.points - actual);
          if (refund > 0) void store.refund(charge.key, refund, charge.limits).catch(() => undefined);
          const throttleStatus: ThrottleStatus = {
            maximumAvailable: charge.limits.bucketSize,
            currentlyAvailable: Math.min(charge.limits.bucketSize, charge.available + refund),
            restoreRate: charge.limits.restoreRate,
          };
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: { ...(result.extensions?.cost as object | undefined), throttleStatus } };
        },
      };
    },
  };
}

/** Whose bucket a request draws from, and its tier. */
function clientOf({ viewer, clientAddress }: GraphQLContext): { key: string; tier: string } {
  return { key: clientKeyOf(viewer, clientAddress), tier: viewer?.rateTier ?? 'anonymous' };
}
