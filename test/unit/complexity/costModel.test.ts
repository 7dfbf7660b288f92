import { parse } from 'graphql';
import { OperationAnalysis } from '../../../src/analysis/operationAnalysis';
import { buildCostModel, estimateCost } from '../../../src/complexity/costModel';
import { buildSchema } from '../../../src/server/buildSchema';

const schema = buildSchema();
const model = buildCostModel(schema);
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  estimateCost(model, OperationAnalysis.of(schema, parse(query), operationName)!.forVariables(variables));

// The nested query of the batching tests and the benchmark, priced by hand:
// orders 1 + edges first x (edge 1 + node (order 1 + customer 1 + items 5 x (item 1 +
// unitPrice 1 + product (1 + inventory 5 x (level 1 + warehouse 1))))) = 1 + first x 68.
const NESTED = `query($first: Int) { orders(first: $first) { edges { node { id status customer { name }
  items { quantity unitPrice { amount } product { sku inventory { available warehouse { code } } } } } } } }`;

describe('cost model', () => {
  it('prices a connection by its page size, applied to its edges, honouring variables', () => {
    // unitPrice (Money) is an object too: items 5 x (1 + 1 + product 11) = 65 per order.
    expect(cost(NESTED, { first: 50 })).toBe(1 + 50 * (1 + 1 + 1 + 5 * (1 + 1 + 1 + 5 * 2)));
    expect(cost(NESTED, { first: 10 })).toBe(1 + 10 * 68);
    expect(cost(NESTED, {})).toBe(1 + 20 * 68); // assumedSize: the default page
  });

  it('uses the larger slicing argument and @cost weights', () => {
    expect(cost(`{ orders(last: 7) { totalCount edges { cursor } } }`)).toBe(1 + 10 + 7 * 1);
    expect(cost(`{ products(first: 3) { totalCount pageInfo { hasNextPage } edges { node { sku } } } }`)).toBe(1 + 10 + 1 + 3 * 2);
  });

  it('sizes nodes(ids:) by the number of ids', () => {
    expect(cost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ['a', 'b', 'c'] })).toBe(3);
  });

  it('follows fragments and skips what @skip removes', () => {
    const query = `query($skip: Boolean!) { products(first: 2) { ...P } } fragment P on ProductConnection { edges { node { sku inventory @skip(if: $skip) { onHand } } } }`;
    expect(cost(query, { skip: true })).toBe(1 + 2 * 2);
    expect(cost(query, { skip: false })).toBe(1 + 2 * (2 + 5));
  });

  it('prices only the selected operation', () => {
    const document = `query Small { products(first: 1) { edges { node { sku } } } } query Large { products(first: 100) { edges { node { sku } } } }`;
    expect(cost(document, {}, 'Small')).toBe(3);
    expect(cost(document, {}, 'Large')).toBe(201);
  });
});
