import { buildCostModel } from '../../../src/complexity/costModel';
import { costPolicy, countObjects } from '../../../src/policies/costPolicy';
import { requestStateFor, schema } from '../../helpers/requestStates';

const model = buildCostModel(schema);
const PAGE = 'query($first: Int) { orders(first: $first) { edges { node { id items { quantity } } } } }';

describe('cost policy', () => {
  it('prices the operation with its variables, once per set of variables', async () => {
    const policy = costPolicy(model, 500);
    const first = requestStateFor(PAGE, { variables: { first: 3 } });
    await policy.prepare!(first);
    expect(first.cost).toEqual({ requestedQueryCost: 1 + 3 * 7, maximumQueryCost: 500 });
    expect(first.operation!.request.cached('cost', () => -1)).toBe(22);
  });

  it('refuses an operation above the maximum with QUERY_TOO_COMPLEX and HTTP 400', async () => {
    const state = requestStateFor(PAGE, { variables: { first: 100 } });
    expect(() => costPolicy(model, 500).prepare!(state)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', cost: 701, maximumCost: 500, http: { status: 400 } }) }),
    );
  });

  it('reports the estimate, the objects resolved and the database work', async () => {
    const policy = costPolicy(model, 500);
    const state = requestStateFor(PAGE, { variables: { first: 1 } });
    await policy.prepare!(state);
    state.work.statements = 2;
    const body = { data: { orders: { edges: [{ node: { id: 'a', items: [{ quantity: 1 }] } }] } } };
    await policy.complete!(state, body);
    expect((body as { extensions?: unknown }).extensions).toEqual({
      cost: { requestedQueryCost: 8, actualQueryCost: 4, maximumQueryCost: 500, database: { statements: 2, batches: 0, rows: 0 } },
    });
  });

  it('counts objects below the root, lists aside', () => {
    expect(countObjects({ a: { b: [{ c: 1 }, { c: 2 }, null] }, d: 1 })).toBe(3);
  });
});
