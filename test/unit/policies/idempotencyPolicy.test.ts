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
    keepAlive: () => {
      calls.push(['keepAlive', undefined]);
      return () => void calls.push(['stopKeepAlive', undefined]);
    },
  } as unknown as IdempotencyStore;
  return { store, calls };
}
const claim = { claim: { id: 1, token: 't', recovering: false } };

describe('idempotency policy', () => {
  it("claims the key of a mutation, per client, with a hash of the request and the viewer's row scope", async () => {
    const { store, calls } = fakeStore(claim);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1', viewer: viewerOf(['customer']) });
    await idempotencyPolicy(store).prepare!(state);
    expect(calls[0]).toEqual([
      'claim',
      { clientKey: 'user:user-1', key: 'k1', requestHash: expect.stringMatching(/^[0-9a-f]{64}$/), viewerScope: expect.stringContaining('7') },
    ]);
    expect(state.idempotency).toEqual({ claim: claim.claim, stopKeepAlive: expect.any(Function) });
    expect(calls[1]).toEqual(['keepAlive', undefined]); // the lease is renewed while the request runs
  });

  it('claims nothing for a query, a mutation without a key, an anonymous client, or a mutation that runs no mutation field', async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    const authorization = authorizationPolicy(buildAccessRules(schema));
    await policy.prepare!(requestStateFor('{ products { totalCount } }', { idempotencyKey: 'k1' }));
    await policy.prepare!(requestStateFor(MUTATION));
    await policy.prepare!(requestStateFor(MUTATION, { idempotencyKey: 'k1', viewer: null }));
    await policy.prepare!(requestStateFor('mutation { __typename }', { idempotencyKey: 'k1' }));
    for (const query of [MUTATION, `mutation { ... on Mutation { ${MUTATION.slice('mutation { '.length, -2)} } }`]) {
      const denied = requestStateFor(query, { idempotencyKey: 'k1', viewer: viewerOf(['inventory_manager']) });
      await authorization.prepare!(denied);
      await policy.prepare!(denied);
    }
    expect(calls).toEqual([]);
  });

  it('stores a completed execution with its status', async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1' });
    await policy.prepare!(state);
    await policy.complete!(state, { data: { placeOrder: { order: { id: 'o' } } }, extensions: { cost: {} } });
    expect(calls.slice(2)).toEqual([
      ['complete', { status: 200, body: { data: { placeOrder: { order: { id: 'o' } } } } }],
      ['stopKeepAlive', undefined],
    ]);
  });

  it("waits for the execution's own outcome when the client was answered at the deadline", async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1' });
    await policy.prepare!(state);
    let finish: (body: object) => void = () => undefined;
    state.lateOutcome = new Promise((resolve) => (finish = resolve));
    await policy.complete!(state, { errors: [{ message: 'late', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    expect(calls.map(([name]) => name)).toEqual(['claim', 'keepAlive']); // neither released nor stored yet
    finish({ data: { placeOrder: { order: { id: 'o' } } } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.slice(2)).toEqual([
      ['complete', { status: 200, body: { data: { placeOrder: { order: { id: 'o' } } } } }],
      ['stopKeepAlive', undefined],
    ]);
  });

  it('releases the key when the execution failed on our side, storing nothing', async () => {
    const { store, calls } = fakeStore(claim);
    const policy = idempotencyPolicy(store);
    const state = requestStateFor(MUTATION, { idempotencyKey: 'k1' });
    await policy.prepare!(state);
    await policy.complete!(state, { data: { placeOrder: null }, errors: [{ message: 'x', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    expect(calls.map(([name]) => name)).toEqual(['claim', 'keepAlive', 'release', 'stopKeepAlive']);
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
