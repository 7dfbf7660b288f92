import { createApiKey } from '../../src/auth/apiKeys';
import { createStockedProduct, PLACE_ORDER, TRANSITION } from '../helpers/orders';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
type Credentials = Record<string, string> | null;
const as: Record<string, Credentials> = {};
let ids: { order: string; customer: string; product: string; warehouse: string; level: string; item: string };
/** The seed's orders are placed on 2026-01-01; tests place theirs later. */
const SEEDED_BEFORE = '2026-01-02T00:00:00Z';

beforeAll(async () => {
  server = await createTestServer();
  as.anonymous = null;
  as.support = await server.bearer({ roles: ['support'] });
  as.inventory_manager = await server.bearer({ roles: ['inventory_manager'] });
  as.admin = await server.bearer({ roles: ['admin'] });
  // A seeded FULFILLED order: one every role that reads orders may see (warehouse staff see
  // PAID and FULFILLED orders only), which no other test file changes.
  const seed = await server.query(
    `{ orders(first: 1, filter: { status: FULFILLED, createdBefore: "${SEEDED_BEFORE}" }) { edges { node { id customer { id } items { id product { id inventory { id warehouse { id } } } } } } } }`,
  );
  const order = seed.body.data.orders.edges[0].node;
  ids = {
    order: order.id,
    customer: order.customer.id,
    item: order.items[0].id,
    product: order.items[0].product.id,
    level: order.items[0].product.inventory[0].id,
    warehouse: order.items[0].product.inventory[0].warehouse.id,
  };
  // The shopper of the matrix owns the order above.
  as.customer = await server.bearer({ roles: ['customer'], customer_id: databaseId(ids.customer) });
});

const databaseId = (globalId: string) => Number(Buffer.from(globalId, 'base64url').toString().split(':')[1]);
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');
afterAll(() => server.close());

/**
 * Each protected coordinate, reached by a query that selects it, and who may read it.
 * The expectations are written out here, not derived from the SDL, so that a change to an
 * @auth rule must also change this table.
 */
const MATRIX: Array<{ coordinate: string; query: () => string; path: Array<string | number>; allowed: string[] }> = [
  {
    coordinate: 'Query.orders',
    query: () => `{ orders(first: 1) { totalCount } }`,
    path: ['orders'],
    allowed: ['customer', 'support', 'inventory_manager', 'admin'],
  },
  {
    coordinate: 'Query.order',
    query: () => `{ order(id: "${ids.order}") { id } }`,
    path: ['order'],
    allowed: ['customer', 'support', 'inventory_manager', 'admin'],
  },
  { coordinate: 'Query.customer', query: () => `{ customer(id: "${ids.customer}") { id } }`, path: ['customer'], allowed: ['customer', 'support', 'admin'] },
  { coordinate: 'Query.warehouses', query: () => `{ warehouses { code } }`, path: ['warehouses'], allowed: ['support', 'inventory_manager', 'admin'] },
  {
    coordinate: 'Product.inventory',
    query: () => `{ product(id: "${ids.product}") { sku inventory { onHand } } }`,
    path: ['product', 'inventory'],
    allowed: ['support', 'inventory_manager', 'admin'],
  },
  {
    coordinate: 'Customer.email',
    query: () => `{ customer(id: "${ids.customer}") { name email } }`,
    path: ['customer', 'email'],
    allowed: ['customer', 'support', 'admin'],
  },
  {
    coordinate: 'Customer.orders',
    query: () => `{ customer(id: "${ids.customer}") { name orders(first: 1) { totalCount } } }`,
    path: ['customer', 'orders'],
    allowed: ['customer', 'support', 'admin'],
  },
  {
    coordinate: 'Order (through node)',
    query: () => `{ node(id: "${ids.order}") { id } }`,
    path: ['node'],
    allowed: ['customer', 'support', 'inventory_manager', 'admin'],
  },
  {
    coordinate: 'OrderItem (through node)',
    query: () => `{ node(id: "${ids.item}") { id } }`,
    path: ['node'],
    allowed: ['customer', 'support', 'inventory_manager', 'admin'],
  },
  { coordinate: 'Customer (through node)', query: () => `{ node(id: "${ids.customer}") { id } }`, path: ['node'], allowed: ['customer', 'support', 'admin'] },
  {
    coordinate: 'Warehouse (through node)',
    query: () => `{ node(id: "${ids.warehouse}") { id } }`,
    path: ['node'],
    allowed: ['support', 'inventory_manager', 'admin'],
  },
  {
    coordinate: 'InventoryLevel (through node)',
    query: () => `{ node(id: "${ids.level}") { id } }`,
    path: ['node'],
    allowed: ['support', 'inventory_manager', 'admin'],
  },
  {
    coordinate: 'Product (public)',
    query: () => `{ node(id: "${ids.product}") { id ... on Product { sku price { amount } totalAvailable } } }`,
    path: ['node'],
    allowed: ['anonymous', 'customer', 'support', 'inventory_manager', 'admin'],
  },
];
const ROLES = ['anonymous', 'customer', 'support', 'inventory_manager', 'admin'];

describe('authorization matrix', () => {
  const cases = MATRIX.flatMap((row) => ROLES.map((role) => [row.coordinate, role, row] as const));
  it.each(cases)('%s as %s', async (_coordinate, role, row) => {
    const result = await server.queryAs(as[role]!, row.query());
    const errors = result.body.errors ?? [];
    if (row.allowed.includes(role)) {
      expect(errors).toEqual([]);
    } else {
      expect(errors.length).toBeGreaterThan(0);
      // The error sits at the denied field, or at a denied ancestor (whose subtree is not read).
      expect(row.path.slice(0, errors[0]!.path!.length)).toEqual(errors[0]!.path);
      expect(errors[0]!.extensions.code).toBe(role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
    }
  });
});

describe('authorization', () => {
  it('resolves the rest of the query: a denied nested field is null with an error at each concrete path', async () => {
    const result = await server.queryAs(as.customer!, `{ products(first: 3) { edges { node { sku inventory { onHand } } } } }`);
    const edges = result.body.data.products.edges;
    expect(edges.map((e: any) => e.node.sku)).toEqual(['SKU-00001', 'SKU-00002', 'SKU-00003']);
    for (const edge of edges) expect(edge.node.inventory).toBeNull();
    expect(result.body.errors!.map((e) => e.path)).toEqual([0, 1, 2].map((i) => ['products', 'edges', i, 'node', 'inventory']));
    expect(result.body.errors![0]).toMatchObject({
      message: 'Not authorized: Product.inventory needs inventory:read.',
      extensions: { code: 'FORBIDDEN', traceId: result.headers.get('x-trace-id') },
    });
  });

  it('runs no resolver or loader for a denied field', async () => {
    const query = `{ products(first: 5) { edges { node { sku inventory { warehouse { code } } } } } }`;
    const denied = await server.countStatements(() => server.queryAs(as.customer!, query));
    const allowed = await server.countStatements(() => server.queryAs(as.admin!, query));
    expect(denied.statements).toBe(1); // the products page only
    expect(allowed.statements).toBe(3); // plus their inventory and its warehouses
  });

  it('gives an anonymous client UNAUTHENTICATED for a protected root field and still answers public ones', async () => {
    const result = await server.queryAs(null, `{ product(sku: "SKU-00001") { sku } order(id: "${ids.order}") { id } }`);
    expect(result.body.data).toEqual({ product: { sku: 'SKU-00001' }, order: null });
    expect(result.body.errors).toHaveLength(1);
    expect(firstError(result)).toMatchObject({ path: ['order'], extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('propagates null through non-null fields as execution would, up to the nearest nullable one', async () => {
    const { key } = await createApiKey(server.db.prisma, { clientName: 'orders-only-bff', scopes: ['orders:read'], rateTier: 'standard' });
    const result = await server.queryAs({ 'x-api-key': key }, `{ order(id: "${ids.order}") { id customer { name } } }`);
    // Customer.name is String!: its customer becomes null, Order.customer being nullable.
    expect(result.body.data).toEqual({ order: { id: ids.order, customer: null } });
    expect(firstError(result)).toMatchObject({ path: ['order', 'customer', 'name'], extensions: { code: 'FORBIDDEN' } });
    const list = await server.queryAs({ 'x-api-key': key }, `{ orders(first: 2) { totalCount edges { node { id customer { name } } } } }`);
    // ... so a list of orders survives a denied nested field: every order, without its customer.
    expect(list.body.data.orders.edges.map((e: any) => e.node.customer)).toEqual([null, null]);
    expect(list.body.data.orders.totalCount).toBeGreaterThan(2);
    expect(list.body.errors!.map((e) => e.path)).toEqual([0, 1].map((i) => ['orders', 'edges', i, 'node', 'customer', 'name']));
  });

  it('keeps the other root fields when one is denied: root fields are nullable', async () => {
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 1, sub: 'customer-1' });
    const result = await server.queryAs(shopper, '{ product(sku: "SKU-00001") { sku name } warehouses { code } }');
    expect(result.body.data).toEqual({ product: { sku: 'SKU-00001', name: expect.any(String) }, warehouses: null });
    expect(result.body.errors).toEqual([expect.objectContaining({ path: ['warehouses'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    const anonymous = await server.queryAs(null, '{ products(first: 1) { totalCount } orders(first: 1) { totalCount } }');
    expect(anonymous.body.data).toEqual({ products: { totalCount: expect.any(Number) }, orders: null });
    expect(firstError(anonymous).extensions.code).toBe('UNAUTHENTICATED');
  });

  it('checks fields inside named fragments wherever they are spread, and honours @skip', async () => {
    const query = `query($skip: Boolean!) {
      a: product(sku: "SKU-00001") { ...Stock }
      b: product(sku: "SKU-00002") { ...Stock }
      c: product(sku: "SKU-00003") { sku inventory @skip(if: $skip) { onHand } }
    }
    fragment Stock on Product { sku inventory { onHand } }`;
    const result = await server.queryAs(null, query, { skip: true });
    expect(result.body.data).toEqual({ a: { sku: 'SKU-00001', inventory: null }, b: { sku: 'SKU-00002', inventory: null }, c: { sku: 'SKU-00003' } });
    expect(result.body.errors!.map((e) => e.path)).toEqual([
      ['a', 'inventory'],
      ['b', 'inventory'],
    ]);
  });

  it('denies per id in nodes(ids:): readable objects come back, the others fail alone', async () => {
    const result = await server.queryAs(as.inventory_manager!, `{ nodes(ids: ["${ids.product}", "${ids.customer}", "${ids.warehouse}"]) { __typename } }`);
    expect(result.body.data.nodes).toEqual([{ __typename: 'Product' }, null, { __typename: 'Warehouse' }]);
    expect(firstError(result)).toMatchObject({ path: ['nodes', 1], extensions: { code: 'FORBIDDEN' } });
  });

  it('never leaves a selection set empty when every field in it is denied', async () => {
    const result = await server.queryAs(as.customer!, `{ product(sku: "SKU-00001") { inventory { onHand } } }`);
    expect(result.body.data).toEqual({ product: { inventory: null } });
  });
});

describe('row-level rules for shoppers', () => {
  let own: number;
  let otherOrder: { id: string; customerId: number; itemId: string };
  let shopper: Record<string, string>;
  beforeAll(async () => {
    own = databaseId(ids.customer);
    shopper = as.customer!;
    const { rows } = await server.db.pool.query(
      `SELECT o.id, o."customerId", min(i.id) AS "itemId" FROM "Order" o JOIN "OrderItem" i ON i."orderId" = o.id
       WHERE o."customerId" <> $1 GROUP BY o.id ORDER BY o.id LIMIT 1`,
      [own],
    );
    otherOrder = { id: globalId('Order', rows[0].id), customerId: rows[0].customerId, itemId: globalId('OrderItem', rows[0].itemId) };
  });

  it("lists only the shopper's own orders, counted in SQL, even when filtering for another customer", async () => {
    const { rows } = await server.db.pool.query(`SELECT count(*)::int AS n FROM "Order" WHERE "customerId" = $1`, [own]);
    const mine = await server.queryAs(shopper, `{ orders(first: 100) { totalCount edges { node { customer { id } } } } }`);
    expect(mine.body.data.orders.totalCount).toBe(rows[0].n);
    expect(mine.body.data.orders.edges).toHaveLength(rows[0].n);
    for (const edge of mine.body.data.orders.edges) expect(edge.node.customer.id).toBe(ids.customer);
    const theirs = await server.queryAs(
      shopper,
      `{ orders(first: 10, filter: { customerId: "${globalId('Customer', otherOrder.customerId)}" }) { totalCount } }`,
    );
    expect(theirs.body.data.orders.totalCount).toBe(0);
  });

  it.each([
    ['order(id:)', 'order', () => otherOrder.id, 'Order'],
    ['node(id:) of an order', 'node', () => otherOrder.id, 'Order'],
    ['node(id:) of an order line', 'node', () => otherOrder.itemId, 'OrderItem'],
    ['customer(id:)', 'customer', () => globalId('Customer', otherOrder.customerId), 'Customer'],
  ])("answers NOT_FOUND for another customer's row through %s, exactly as for an id of no row", async (_name, field, theirId, type) => {
    const theirs = await server.queryAs(shopper, `{ ${field}(id: "${theirId()}") { id } }`);
    const missing = await server.queryAs(shopper, `{ ${field}(id: "${globalId(type, 999999)}") { id } }`);
    expect(theirs.body).toEqual({
      ...missing.body,
      errors: [{ ...missing.body.errors![0], extensions: { ...missing.body.errors![0]!.extensions, traceId: expect.any(String) } }],
    });
    expect(firstError(theirs)).toMatchObject({ path: [field], extensions: { code: 'NOT_FOUND' } });
  });

  it("keeps one request's rows out of another's: staff then shopper in turn", async () => {
    const staff = await server.queryAs(as.support!, `{ order(id: "${otherOrder.id}") { id } }`);
    expect(staff.body.data.order.id).toBe(otherOrder.id);
    const after = await server.queryAs(shopper, `{ order(id: "${otherOrder.id}") { id } }`);
    expect(firstError(after).extensions.code).toBe('NOT_FOUND');
  });
});

describe('row-level rules for warehouse staff', () => {
  /** Per status, how many seeded orders there are, one of them and one of its lines. */
  let seeded: Record<string, { count: number; id: string; itemId: string }>;
  beforeAll(async () => {
    const { rows } = await server.db.pool.query(
      `SELECT status::text AS status, count(*)::int AS count, min(id) AS id FROM "Order" WHERE "createdAt" < $1 GROUP BY status`,
      [SEEDED_BEFORE],
    );
    seeded = {};
    for (const { status, count, id } of rows) {
      const item = await server.db.pool.query(`SELECT min(id) AS id FROM "OrderItem" WHERE "orderId" = $1`, [id]);
      seeded[status] = { count, id: globalId('Order', id), itemId: globalId('OrderItem', item.rows[0].id) };
    }
  });
  const COUNT = (filter = '') => `{ orders(first: 100, filter: { createdBefore: "${SEEDED_BEFORE}" ${filter} }) { totalCount edges { node { status } } } }`;

  it('lists and counts only PAID and FULFILLED orders for inventory_manager, in SQL', async () => {
    const result = await server.queryAs(as.inventory_manager!, COUNT());
    expect(result.body.errors).toBeUndefined();
    const shipped = seeded.PAID!.count + seeded.FULFILLED!.count;
    expect(result.body.data.orders.totalCount).toBe(shipped);
    expect(result.body.data.orders.edges).toHaveLength(Math.min(100, shipped));
    expect(new Set(result.body.data.orders.edges.map((e: any) => e.node.status))).toEqual(new Set(['PAID', 'FULFILLED']));
    for (const [status, expected] of [
      ['PENDING', 0],
      ['CANCELLED', 0],
      ['PAID', seeded.PAID!.count],
    ] as const) {
      const filtered = await server.queryAs(as.inventory_manager!, COUNT(`, status: ${status}`));
      expect(filtered.body.data.orders.totalCount).toBe(expected);
    }
  });

  it.each(['PAID', 'FULFILLED'])('reads a %s order by id, through node(id:) and nodes(ids:), with its lines', async (status) => {
    const { id, itemId } = seeded[status]!;
    const result = await server.queryAs(
      as.inventory_manager!,
      `{ order(id: "${id}") { id status items { id } } node(id: "${itemId}") { id } nodes(ids: ["${id}"]) { id } }`,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.order).toMatchObject({ id, status });
    expect(result.body.data.order.items.map((i: any) => i.id)).toContain(itemId);
    expect(result.body.data.node).toEqual({ id: itemId });
    expect(result.body.data.nodes).toEqual([{ id }]);
  });

  it.each([
    ['PENDING', 'order(id:)', 'order', 'Order', (s: { id: string }) => s.id],
    ['PENDING', 'node(id:) of an order', 'node', 'Order', (s: { id: string }) => s.id],
    ['PENDING', 'node(id:) of an order line', 'node', 'OrderItem', (s: { itemId: string }) => s.itemId],
    ['CANCELLED', 'order(id:)', 'order', 'Order', (s: { id: string }) => s.id],
  ])('answers NOT_FOUND for a %s order through %s, exactly as for an id of no row', async (status, _name, field, type, idOf) => {
    const theirs = await server.queryAs(as.inventory_manager!, `{ ${field}(id: "${idOf(seeded[status]!)}") { id } }`);
    const missing = await server.queryAs(as.inventory_manager!, `{ ${field}(id: "${globalId(type, 999999)}") { id } }`);
    expect(theirs.body).toEqual({
      ...missing.body,
      errors: [{ ...missing.body.errors![0], extensions: { ...missing.body.errors![0]!.extensions, traceId: expect.any(String) } }],
    });
    expect(firstError(theirs)).toMatchObject({ path: [field], extensions: { code: 'NOT_FOUND' } });
  });

  it("pages and counts a customer's orders through the same rule", async () => {
    const staff = await server.bearer({ roles: ['inventory_manager'], scope: 'customers:read' });
    const { rows } = await server.db.pool.query(
      `SELECT "customerId", count(*) FILTER (WHERE status IN ('PAID', 'FULFILLED'))::int AS shipped FROM "Order"
       WHERE "createdAt" < $1 GROUP BY "customerId" HAVING count(*) FILTER (WHERE status IN ('PENDING', 'CANCELLED')) > 0 ORDER BY "customerId" LIMIT 1`,
      [SEEDED_BEFORE],
    );
    const result = await server.queryAs(
      staff,
      `{ customer(id: "${globalId('Customer', rows[0].customerId)}") {
      orders(first: 100, filter: { createdBefore: "${SEEDED_BEFORE}" }) { totalCount edges { node { status } } } } }`,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.customer.orders.totalCount).toBe(rows[0].shipped);
    expect(result.body.data.customer.orders.edges).toHaveLength(rows[0].shipped);
    for (const edge of result.body.data.customer.orders.edges) expect(['PAID', 'FULFILLED']).toContain(edge.node.status);
  });

  it.each([
    ['support', () => as.support!],
    ['admin', () => as.admin!],
    ['inventory_manager with an explicit orders:read scope', () => server.bearer({ roles: ['inventory_manager'], scope: 'orders:read' })],
    [
      'an API key with orders:read',
      async () => ({
        'x-api-key': (await createApiKey(server.db.prisma, { clientName: 'all-orders-bff', scopes: ['orders:read'], rateTier: 'standard' })).key,
      }),
    ],
  ])('lets %s see every order, pending ones included', async (_name, credentials) => {
    const viewer = await credentials();
    const all = Object.values(seeded).reduce((n, s) => n + s.count, 0);
    const result = await server.queryAs(
      viewer,
      `{
      orders(first: 0, filter: { createdBefore: "${SEEDED_BEFORE}" }) { totalCount }
      pending: order(id: "${seeded.PENDING!.id}") { status } }`,
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.orders.totalCount).toBe(all);
    expect(result.body.data.pending).toEqual({ status: 'PENDING' });
  });

  it('lets inventory_manager fulfil a PAID order, and answers ORDER_NOT_FOUND for a PENDING one', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const place = async () =>
      (await server.query(PLACE_ORDER, { input: { customerId: ids.customer, items: [{ productId: product.globalId, quantity: 1 }] } })).body.data.placeOrder
        .order.id as string;
    const [paid, pending] = [await place(), await place()];
    expect((await server.query(TRANSITION('markOrderPaid'), { id: paid })).body.data.markOrderPaid.userErrors).toEqual([]);
    const fulfilled = await server.queryAs(as.inventory_manager!, TRANSITION('fulfillOrder'), { id: paid });
    expect(fulfilled.body.data.fulfillOrder).toEqual({ order: { id: paid, status: 'FULFILLED' }, userErrors: [] });
    const refused = await server.queryAs(as.inventory_manager!, TRANSITION('fulfillOrder'), { id: pending });
    expect(refused.body.data.fulfillOrder).toEqual({
      order: null,
      userErrors: [{ code: 'ORDER_NOT_FOUND', message: 'No order has this id, or you may not see it.', field: ['id'] }],
    });
    expect((await server.db.prisma.order.findUniqueOrThrow({ where: { id: databaseId(pending) } })).status).toBe('PENDING');
  });
});
