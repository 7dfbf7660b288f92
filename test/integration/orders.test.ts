import pg from 'pg';
import { createTestServer, firstError, testDatabaseUrl, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

const PAGE = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String, $filter: OrderFilter, $orderBy: OrderOrderBy) {
    orders(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          status
          createdAt
          total {
            amount
            currency
          }
          customer {
            id
          }
        }
      }
    }
  }
`;

async function page(variables: Record<string, unknown>) {
  const result = await server.query(PAGE, variables);
  expect(result.body.errors).toBeUndefined();
  return result.body.data.orders;
}

/** Every order matching `variables`, paged forward `size` at a time. */
async function pageThrough(variables: Record<string, unknown>, size: number) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const orders: any = await page({ ...variables, first: size, after });
    ids.push(...orders.edges.map((e: any) => e.node.id));
    if (!orders.pageInfo.hasNextPage) return ids;
    after = orders.pageInfo.endCursor;
  }
}

// Data the tests themselves insert is dated 2030, so that these bounds exclude it.
const SEEDED = { createdBefore: '2029-01-01T00:00:00Z' };

describe('orders', () => {
  it('pages forward through every order exactly once, newest first, ties broken by id', async () => {
    const ids = await pageThrough({ filter: SEEDED }, 33);
    const all = await page({ first: 100, filter: SEEDED });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(all.totalCount);
    expect(ids.slice(0, 100)).toEqual(all.edges.map((e: any) => e.node.id));
  });

  it('pages backward with last/before to the same orders', async () => {
    const forward = await page({ first: 10, filter: SEEDED });
    const next = await page({ first: 5, after: forward.pageInfo.endCursor, filter: SEEDED });
    const back = await page({ last: 4, before: next.edges[0].cursor, filter: SEEDED });
    expect(back.edges.map((e: any) => e.node.id)).toEqual(forward.edges.slice(6).map((e: any) => e.node.id));
    expect(back.pageInfo.hasPreviousPage).toBe(true);
    expect(back.pageInfo.hasNextPage).toBe(true);
  });

  it('sorts by total in both directions', async () => {
    for (const direction of ['ASC', 'DESC']) {
      const orders = await page({ first: 50, orderBy: { field: 'TOTAL', direction }, filter: SEEDED });
      const totals = orders.edges.map((e: any) => e.node.total.amount);
      const sorted = [...totals].sort((a, b) => (direction === 'ASC' ? a - b : b - a));
      expect(totals).toEqual(sorted);
    }
    const ids = await pageThrough({ orderBy: { field: 'TOTAL', direction: 'ASC' }, filter: SEEDED }, 40);
    expect(new Set(ids).size).toBe((await page({ first: 0, filter: SEEDED })).totalCount);
  });

  it('filters by status, customer and creation time, combined with AND', async () => {
    const some = await page({ first: 1, filter: SEEDED });
    const customerId = some.edges[0].node.customer.id;
    const filtered = await page({
      first: 100,
      filter: { customerId, status: 'FULFILLED', createdAfter: '2026-01-01T00:30:00Z', createdBefore: '2026-01-01T03:00:00Z' },
    });
    for (const { node } of filtered.edges) {
      expect(node.customer.id).toBe(customerId);
      expect(node.status).toBe('FULFILLED');
      expect(node.createdAt >= '2026-01-01T00:30:00.000Z' && node.createdAt < '2026-01-01T03:00:00.000Z').toBe(true);
    }
    expect(filtered.totalCount).toBe(filtered.edges.length);
  });

  it('keeps cursors stable while new orders arrive: no order skipped or repeated', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const customer = await client.query(`INSERT INTO "Customer" (email, name) VALUES ('keyset-${process.pid}@example.com', 'Keyset Test') RETURNING id`);
      const customerId = Buffer.from(`Customer:${customer.rows[0].id}`).toString('base64url');
      const insertOrder = (createdAt: string) =>
        client.query(
          `INSERT INTO "Order" ("customerId", status, currency, "totalCents", "createdAt", "updatedAt") VALUES ($1, 'PENDING', 'USD', 100, $2, $2)`,
          [customer.rows[0].id, createdAt],
        );
      for (let minute = 10; minute < 20; minute++) await insertOrder(`2030-01-01T00:${minute}:00Z`);
      const first = await page({ first: 4, filter: { customerId } });
      // Newer orders arrive before the next page is read (and one with a tied timestamp).
      await insertOrder('2030-01-01T00:30:00Z');
      await insertOrder('2030-01-01T00:19:00Z');
      const rest: string[] = [];
      let after = first.pageInfo.endCursor;
      for (;;) {
        const next = await page({ first: 3, after, filter: { customerId } });
        rest.push(...next.edges.map((e: any) => e.node.createdAt));
        if (!next.pageInfo.hasNextPage) break;
        after = next.pageInfo.endCursor;
      }
      expect(first.edges.map((e: any) => e.node.createdAt)).toEqual([
        '2030-01-01T00:19:00.000Z',
        '2030-01-01T00:18:00.000Z',
        '2030-01-01T00:17:00.000Z',
        '2030-01-01T00:16:00.000Z',
      ]);
      expect(rest).toEqual([
        '2030-01-01T00:15:00.000Z',
        '2030-01-01T00:14:00.000Z',
        '2030-01-01T00:13:00.000Z',
        '2030-01-01T00:12:00.000Z',
        '2030-01-01T00:11:00.000Z',
        '2030-01-01T00:10:00.000Z',
      ]);
    } finally {
      await client.query(`DELETE FROM "Order" WHERE "customerId" IN (SELECT id FROM "Customer" WHERE email = 'keyset-${process.pid}@example.com')`);
      await client.query(`DELETE FROM "Customer" WHERE email = 'keyset-${process.pid}@example.com'`);
      await client.end();
    }
  });

  it('resolves an order with its customer, items, money and item count', async () => {
    const some = await page({ first: 1, filter: SEEDED });
    const result = await server.query(
      `query($id: ID!) { order(id: $id) { id total { amount currency } itemCount
         items { quantity unitPrice { amount currency } lineTotal { amount currency } product { sku } } } }`,
      { id: some.edges[0].node.id },
    );
    const order = result.body.data.order;
    expect(order.id).toBe(some.edges[0].node.id);
    expect(order.items.length).toBeGreaterThan(0);
    let total = 0;
    for (const item of order.items) {
      expect(item.lineTotal).toEqual({ amount: item.quantity * item.unitPrice.amount, currency: 'USD' });
      total += item.lineTotal.amount;
    }
    expect(order.total).toEqual({ amount: total, currency: 'USD' });
    expect(order.itemCount).toBe(order.items.reduce((n: number, i: any) => n + i.quantity, 0));
  });

  it("pages a customer's orders newest first with cursors", async () => {
    const some = await page({ first: 1, filter: SEEDED });
    const query = `query($id: ID!, $after: String) { customer(id: $id) { orders(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id createdAt } } } } }`;
    const ids: string[] = [];
    let after: string | null = null;
    let totalCount: number;
    for (;;) {
      const result: any = await server.query(query, { id: some.edges[0].node.customer.id, after });
      const orders = result.body.data.customer.orders;
      totalCount = orders.totalCount;
      ids.push(...orders.edges.map((e: any) => e.node.id));
      if (!orders.pageInfo.hasNextPage) break;
      after = orders.pageInfo.endCursor;
    }
    expect(new Set(ids).size).toBe(totalCount);
    const filtered = await page({ first: 100, filter: { customerId: some.edges[0].node.customer.id } });
    expect(ids).toEqual(filtered.edges.map((e: any) => e.node.id));
  });

  it.each([
    ['first above 100', { first: 101 }, /maximum page size of 100/],
    ['a negative first', { first: -1 }, /must not be negative/],
    ['first and last together', { first: 1, last: 1 }, /either "first" or "last"/],
    ['a malformed cursor', { first: 1, after: 'garbage' }, /not a valid cursor/],
    ['a cursor from another sort', { first: 1, after: Buffer.from('["orders:TOTAL:ASC",1,1]').toString('base64url') }, /another list or sort order/],
    [
      'a customerId that is not a Customer id',
      { first: 1, filter: { customerId: Buffer.from('Order:1').toString('base64url') } },
      /must be the ID of a Customer/,
    ],
  ])('rejects %s with BAD_USER_INPUT', async (_name, variables, message) => {
    const result = await server.query(PAGE, variables);
    expect(result.status).toBe(200);
    expect(result.body.errors).toHaveLength(1);
    expect(firstError(result)).toMatchObject({ path: ['orders'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(firstError(result).message).toMatch(message);
  });

  it('rejects a DateTime without a time zone as a bad variable', async () => {
    const result = await server.query(PAGE, { first: 1, filter: { createdAfter: '2026-01-01 10:00' } });
    expect(result.status).toBe(400);
    expect(firstError(result).extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['30 February', '2026-02-30T00:00:00Z'],
  ])('refuses a DateTime of %s as a variable with BAD_USER_INPUT naming the supported range', async (_name, createdAfter) => {
    const result = await server.query(PAGE, { first: 1, filter: { createdAfter } });
    expect(result.status).toBe(400);
    expect(result.body.errors).toHaveLength(1);
    expect(firstError(result).extensions.code).toBe('BAD_USER_INPUT');
    expect(firstError(result).message).toContain('from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z');
  });

  it('refuses a year-0 DateTime literal before running anything, naming the supported range', async () => {
    const result = await server.query(`{ orders(first: 1, filter: { createdAfter: "0000-01-01T00:00:00Z" }) { totalCount } }`);
    expect(result.status).toBe(400);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors).toHaveLength(1);
    // graphql-js checks literals while validating the document; the scalar's own code is kept.
    expect(firstError(result).extensions.code).toBe('BAD_USER_INPUT');
    expect(firstError(result).message).toContain('from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z');
  });

  it('answers NOT_FOUND for an order id that does not exist, and BAD_USER_INPUT for a Product id', async () => {
    const missing = await server.query(`{ order(id: "${Buffer.from('Order:999999').toString('base64url')}") { id } }`);
    expect(missing.body.data).toEqual({ order: null });
    expect(firstError(missing).extensions.code).toBe('NOT_FOUND');
    const wrongType = await server.query(`{ order(id: "${Buffer.from('Product:1').toString('base64url')}") { id } }`);
    expect(firstError(wrongType).extensions.code).toBe('BAD_USER_INPUT');
  });
});
