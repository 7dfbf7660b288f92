import { rateLimitPolicy } from '../../../src/policies/rateLimitPolicy';
import { MemoryBucketStore } from '../../../src/rateLimit/tokenBucket';
import { requestStateFor } from '../../helpers/requestStates';

const tiers = { anonymous: { bucketSize: 10, restoreRate: 1 }, user: { bucketSize: 100, restoreRate: 10 }, standard: { bucketSize: 100, restoreRate: 10 } };
const throttleOf = (body: { extensions?: Record<string, any> }) => body.extensions?.cost.throttleStatus;

describe('rate limit policy', () => {
  it('takes the estimated cost before execution and refunds what was not used', async () => {
    const store = new MemoryBucketStore(() => 0);
    const policy = rateLimitPolicy(store, tiers);
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
    const policy = rateLimitPolicy(store, tiers);
    const state = requestStateFor('{ products { totalCount } }', { viewer: null });
    state.cost = { requestedQueryCost: 11, maximumQueryCost: 1_000 };
    await expect(policy.prepare!(state)).rejects.toMatchObject({
      extensions: { code: 'RATE_LIMITED', cost: 11, retryAfterSeconds: 1, http: { status: 429 } },
    });
    expect(state.throttle).toMatchObject({ key: 'ip:10.0.0.1', points: 0, available: 10 });
  });

  it('takes one point from a request refused before it was priced', async () => {
    const store = new MemoryBucketStore(() => 0);
    const policy = rateLimitPolicy(store, tiers);
    const state = requestStateFor('{ products { totalCount } }', { viewer: null });
    state.refusedBy = 'limits';
    const body = {};
    await policy.complete!(state, body);
    expect(throttleOf(body).currentlyAvailable).toBe(9);
  });
});
