import { buildAccessRules } from '../../../src/auth/accessRules';
import type { ClaimOutcome, IdempotencyStore } from '../../../src/idempotency/idempotencyStore';
import type { StoredResponse } from '../../../src/pipeline/requestState';
import { authorizationPolicy } from '../../../src/policies/authorizationPolicy';
import { idempotencyPolicy, REPLAY_HEADER } from '../../../src/policies/idempotencyPolicy';
import { requestStateFor, schema, viewerOf } from '../../helpers/requestStates';

const MUTATION = 'mutation { placeOrder(input: { items: [] }) { order { id } } }';

/** A store that records what the policy asks of it, answering claims with `outcome`. */
function fakeStore(outcome: ClaimOutcome) {
  const calls: Array<[string, unknown]> = [];
  const store = {
    claim: async (request: unknown) => (calls.push(['claim', request]), outcome),
    complete: async (_claim: unknown, stored: StoredResponse) => void calls.push(['complete', stored]),
    release: async (claim: unknown) => void calls.push(['release', claim]),
  } as unknown as IdempotencyStore;
  return { store, calls };
}
const claim = { claim: { id: 1, token: 't', recovering: false } };

describe('idempotency policy', () => {
  it('claims the key of a mutation, per client, with a hash of the request and the viewer\'s row scope', async () => {
    const { store, calls } = fakeStore(claim);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1', viewer: viewerOf(['customer']) });
    await idempotencyPolicy(store).prepare!(state);
    expect(calls[0]).toEqual(['claim', { clientKey: 'user:user-1', key: 'k1', requestHash: expect.stringMatching(/^[0-9a-f]{64}$/), viewerScope: expect.stringContaining('7') }]);
    expect(state.idempotency).toBe(claim);
  });

  it('claims nothing for a query, a mutation without a key, or a mutation whose every root field is denied', async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    await policy.prepare!(requestStateFor('{ products { totalCount } }', { idempotencyKey: 'k1' }));
    await policy.prepare!(requestStateFor(MUTATION));
    const denied = requestStateFor(MUTATION, { idempotencyKey: 'k1', viewer: viewerOf(['inventory_manager']) });
    await authorizationPolicy(buildAccessRules(schema)).prepare!(denied);
    await policy.prepare!(denied);
    expect(calls).toEqual([]);
  });

  it('stores a completed execution with its status', async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1' });
    await policy.prepare!(state);
    await policy.complete!(state, { data: { placeOrder: { order: { id: 'o' } } }, extensions: { cost: {} } });
    expect(calls[1]).toEqual(['complete', { status: 200, body: { data: { placeOrder: { order: { id: 'o' } } } } }]);
  });

  it('releases the key when the execution failed on our side, storing nothing', async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1' });
    await policy.prepare!(state);
    await policy.complete!(state, { data: { placeOrder: null }, errors: [{ message: 'x', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    expect(calls.map(([name]) => name)).toEqual(['claim', 'release']);
  });

  it('answers a replay with the stored status and the Idempotent-Replayed header', async () => {
    const replay = { replay: { status: 200, body: { data: { placeOrder: null } } } };
    const { store } = fakeStore(replay);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1' });
    await idempotencyPolicy(store).prepare!(state);
    expect(state.http.status).toBe(200);
    expect(state.http.headers.get(REPLAY_HEADER)).toBe('true');
  });
});
