import * as costModel from '../../src/complexity/costModel';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ MAX_COST: '500' });
});
afterAll(() => server.close());

const PAGE = `query($first: Int) { orders(first: $first) { edges { node { id items { quantity } } } } }`;

describe('query cost', () => {
  it('reports the estimated cost, the objects resolved and the database work of every response', async () => {
    const { result, statements } = await server.countStatements(() => server.query(PAGE, { first: 3 }));
    const cost = result.body.extensions.cost;
    // orders 1 + 3 x (edge 1 + order 1 + items 5 x 1)
    expect(cost.requestedQueryCost).toBe(1 + 3 * 7);
    const items = result.body.data.orders.edges.reduce((n: number, e: any) => n + e.node.items.length, 0);
    expect(cost.actualQueryCost).toBe(1 + 3 + 3 + items); // the connection, edges, orders, items
    expect(cost.maximumQueryCost).toBe(500);
    expect(cost.database).toEqual({ statements, batches: 1, rows: 4 + items });
    expect(statements).toBe(2);
  });

  it('rejects an operation above the maximum before execution, with the cost and the limit', async () => {
    const { result, statements } = await server.countStatements(() => server.query(PAGE, { first: 100 }));
    expect(result.status).toBe(400);
    expect(firstError(result)).toMatchObject({
      extensions: { code: 'QUERY_TOO_COMPLEX', cost: 1 + 100 * 7, maximumCost: 500 },
    });
    expect(firstError(result).message).toMatch(/costs 701 points, above the maximum of 500/);
    expect(statements).toBe(0);
  });

  it('honours variables: the same document is cheap or too complex by its page size', async () => {
    expect((await server.query(PAGE, { first: 10 })).status).toBe(200);
    expect((await server.query(PAGE, { first: 70 })).status).toBe(200);
    expect(firstError(await server.query(PAGE, { first: 100 })).extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('estimates each document and variables once, then answers from its cache', async () => {
    const spy = jest.spyOn(costModel, 'estimateCost');
    try {
      for (let i = 0; i < 3; i++) await server.query(`{ products(first: 2) { edges { node { sku } } } }`);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('still reports bad variables as BAD_USER_INPUT, not as a cost problem', async () => {
    const result = await server.query(PAGE, { first: 'many' });
    expect(firstError(result).extensions.code).toBe('BAD_USER_INPUT');
  });
});
