import { rateLimitPolicy } from '../../../src/policies/rateLimitPolicy';
import { RateLimiter } from '../../../src/rateLimit/rateLimiter';
import { MemoryBucketStore } from '../../../src/rateLimit/tokenBucket';
import { requestStateFor } from '../../helpers/requestStates';

const tiers = { anonymous: { bucketSize: 10, restoreRate: 1 }, user: { bucketSize: 100, restoreRate: 10 }, standard: { bucketSize: 100, restoreRate: 10 } };
const throttleOf = (body: { extensions?: Record<string, any> }) => body.extensions?.cost.throttleStatus;

describe('rate limit policy', () => {
  it('takes the estimated cost before execution and refunds what was not used', async () => {
    const store = new MemoryBucketStore(() => 0);
    const policy = rateLimitPolicy(new RateLimiter(store, tiers));
    const state = requestStateFor('{ products { totalCount } }');
    state.cost = { requestedQueryCost: 30, maximumQueryCost: 1_000 };
    await policy.prepare!(state);
    expect(state.throttle).toMatchObject({ key: 'user:user-1', points: 30, available: 70 });
    state.cost.actualQueryCost = 10;
    const body = {};
    await policy.complete!(state, body);
    expect(throttleOf(body)).toEqual({ maximumAvailable: 100, currentlyAvailable: 90, restoreRate: 10 });
  });

  it('refuses with RATE_LIMITED, 429 and Retry-After when the bucket is short, taking nothing', async () => {
    const store = new MemoryBucketStore(() => 0);
    const policy = rateLimitPolicy(new RateLimiter(store, tiers));
    const state = requestStateFor('{ products { totalCount } }', { viewer: null });
    await store.take('ip:10.0.0.1', 5, tiers.anonymous);
    state.cost = { requestedQueryCost: 6, maximumQueryCost: 1_000 };
    await expect(policy.prepare!(state)).rejects.toMatchObject({
      extensions: { code: 'RATE_LIMITED', cost: 6, retryAfterSeconds: 1, http: { status: 429 } },
    });
    expect(state.throttle).toMatchObject({ key: 'ip:10.0.0.1', points: 0, available: 5 });
  });

  it('takes a point per 100 bytes of its document from a request refused before it was priced', async () => {
    const store = new MemoryBucketStore(() => 0);
    const policy = rateLimitPolicy(new RateLimiter(store, { ...tiers, anonymous: { bucketSize: 100, restoreRate: 1 } }));
    const state = requestStateFor(`{ products { totalCount } } # ${'x'.repeat(300)}`, { viewer: null });
    state.refusedBy = 'limits';
    const body = {};
    await policy.complete!(state, body);
    expect(throttleOf(body).currentlyAvailable).toBe(100 - 4);
  });

  it('refuses an operation costing more than the whole bucket as QUERY_TOO_COMPLEX, which no wait would cure', async () => {
    const store = new MemoryBucketStore(() => 0);
    const state = requestStateFor('{ products { totalCount } }', { viewer: null });
    state.cost = { requestedQueryCost: 11, maximumQueryCost: 1_000 };
    await expect(rateLimitPolicy(new RateLimiter(store, { ...tiers, anonymous: { bucketSize: 10, restoreRate: 1 } })).prepare!(state)).rejects.toMatchObject({
      extensions: { code: 'QUERY_TOO_COMPLEX', cost: 11, maximumCost: 10 },
    });
  });

  it("says whether a client's bucket is empty before any work is done for it", async () => {
    const store = new MemoryBucketStore(() => 0);
    const limiter = new RateLimiter(store, tiers);
    expect(await limiter.refuseIfEmpty(null, '10.0.0.9')).toBeUndefined();
    await store.take('ip:10.0.0.9', 10, tiers.anonymous);
    expect(await limiter.refuseIfEmpty(null, '10.0.0.9')).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } });
  });
});
