import { createTestServer, type TestServer } from '../helpers/testServer';

/**
 * Structural guarantee: a nested query costs one SQL statement per relation level, whatever
 * the page size. Counted at the database driver, so nothing can hide a per-row query.
 */
let server: TestServer;
beforeAll(async () => {
  // Costs are beside the point here: page sizes up to 100 under lists of warehouses.
  server = await createTestServer({ MAX_COST: '1000000' });
});
afterAll(() => server.close());

async function statementsFor(query: string, variables: Record<string, unknown>) {
  const { result, statements } = await server.countStatements(() => server.query(query, variables));
  expect(result.body.errors).toBeUndefined();
  return { statements, data: result.body.data };
}

const ORDERS_QUERY = /* GraphQL */ `
  query Orders($first: Int!) {
    orders(first: $first) {
      edges {
        node {
          id
          status
          createdAt
          customer {
            name
            email
          }
          items {
            quantity
            unitPrice {
              amount
              currency
            }
            product {
              sku
              name
              inventory {
                available
                warehouse {
                  code
                }
              }
            }
          }
        }
      }
    }
  }
`;

describe('statement counts', () => {
  it('orders -> customer, items -> product -> inventory -> warehouse costs the same at first 10 and 100, at most 6', async () => {
    const small = await statementsFor(ORDERS_QUERY, { first: 10 });
    const large = await statementsFor(ORDERS_QUERY, { first: 100 });
    expect(small.data.orders.edges).toHaveLength(10);
    expect(large.data.orders.edges).toHaveLength(100);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(6);
  });

  it('warehouses -> inventory -> product -> inventory costs the same at first 10 and 100', async () => {
    const query = /* GraphQL */ `
      query Stock($first: Int!) {
        warehouses {
          code
          inventory(first: $first) {
            edges {
              node {
                onHand
                available
                product {
                  sku
                  totalAvailable
                  inventory {
                    warehouse {
                      code
                    }
                  }
                }
              }
            }
          }
        }
      }
    `;
    const small = await statementsFor(query, { first: 10 });
    const large = await statementsFor(query, { first: 100 });
    const levels = (data: any) => data.warehouses.reduce((n: number, w: any) => n + w.inventory.edges.length, 0);
    expect(levels(large.data)).toBeGreaterThan(levels(small.data));
    expect(large.statements).toBe(small.statements);
    // warehouses, inventory pages, products, their inventory (warehouses come from the cache)
    expect(large.statements).toBeLessThanOrEqual(4);
  });

  it('customers -> orders -> items -> product costs the same at first 10 and 100', async () => {
    const ids = await customerIds(10);
    const query = /* GraphQL */ `
      query CustomerOrders($ids: [ID!]!, $first: Int!) {
        nodes(ids: $ids) {
          ... on Customer {
            name
            orders(first: $first) {
              edges {
                node {
                  total {
                    amount
                  }
                  items {
                    quantity
                    product {
                      sku
                    }
                  }
                }
              }
            }
          }
        }
      }
    `;
    const small = await statementsFor(query, { ids, first: 1 });
    const large = await statementsFor(query, { ids, first: 100 });
    const orders = (data: any) => data.nodes.reduce((n: number, c: any) => n + c.orders.edges.length, 0);
    expect(orders(large.data)).toBeGreaterThan(orders(small.data));
    expect(large.statements).toBe(small.statements);
    // customers, their order pages, items, products
    expect(large.statements).toBeLessThanOrEqual(4);
  });

  it('rows loaded in a list prime the by-id caches: products -> inventory -> product loads no product again', async () => {
    const { statements, data } = await statementsFor(`{ products(first: 5) { edges { node { sku inventory { product { sku } } } } } }`, {});
    for (const { node } of data.products.edges) {
      for (const level of node.inventory) expect(level.product.sku).toBe(node.sku);
    }
    // the products page and their inventory; InventoryLevel.product is served from the primed cache
    expect(statements).toBe(2);
  });

  it('with batching switched off, the same query costs a statement per row (the diagnostic setting works)', async () => {
    const unbatched = await createTestServer({ DATALOADER_BATCHING: 'off' });
    try {
      // The seeded orders only (other suites place orders concurrently), so the count is fixed.
      const seeded = ORDERS_QUERY.replace('Orders($first: Int!)', 'Orders($first: Int!, $filter: OrderFilter)').replace(
        'orders(first: $first)',
        'orders(first: $first, filter: $filter)',
      );
      const variables = { first: 10, filter: { createdBefore: '2026-06-01T00:00:00Z' } };
      const batchedRun = await server.countStatements(() => server.query(seeded, variables));
      const { statements } = await unbatched.countStatements(() => unbatched.query(seeded, variables));
      expect(batchedRun.statements).toBe(6);
      expect(statements).toBeGreaterThan(30);
    } finally {
      await unbatched.close();
    }
  });
});

async function customerIds(count: number): Promise<string[]> {
  const result = await server.query(`{ orders(first: 100) { edges { node { customer { id } } } } }`);
  const ids = [...new Set<string>(result.body.data.orders.edges.map((e: any) => e.node.customer.id))];
  return ids.slice(0, count);
}
