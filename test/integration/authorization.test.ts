import { createApiKey } from '../../src/auth/apiKeys';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
type Credentials = Record<string, string> | null;
const as: Record<string, Credentials> = {};
let ids: { order: string; customer: string; product: string; warehouse: string; level: string; item: string };

beforeAll(async () => {
  server = await createTestServer();
  as.anonymous = null;
  as.support = await server.bearer({ roles: ['support'] });
  as.inventory_manager = await server.bearer({ roles: ['inventory_manager'] });
  as.admin = await server.bearer({ roles: ['admin'] });
  const seed = await server.query(`{ orders(first: 1) { edges { node { id customer { id } items { id product { id inventory { id warehouse { id } } } } } } } }`);
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
  { coordinate: 'Query.orders', query: () => `{ orders(first: 1) { totalCount } }`, path: ['orders'], allowed: ['customer', 'support', 'inventory_manager', 'admin'] },
  { coordinate: 'Query.order', query: () => `{ order(id: "${ids.order}") { id } }`, path: ['order'], allowed: ['customer', 'support', 'inventory_manager', 'admin'] },
  { coordinate: 'Query.customer', query: () => `{ customer(id: "${ids.customer}") { id } }`, path: ['customer'], allowed: ['customer', 'support', 'admin'] },
  { coordinate: 'Query.warehouses', query: () => `{ warehouses { code } }`, path: ['warehouses'], allowed: ['support', 'inventory_manager', 'admin'] },
  { coordinate: 'Product.inventory', query: () => `{ product(id: "${ids.product}") { sku inventory { onHand } } }`, path: ['product', 'inventory'], allowed: ['support', 'inventory_manager', 'admin'] },
  { coordinate: 'Customer.email', query: () => `{ customer(id: "${ids.customer}") { name email } }`, path: ['customer', 'email'], allowed: ['customer', 'support', 'admin'] },
  { coordinate: 'Customer.orders', query: () => `{ customer(id: "${ids.customer}") { name orders(first: 1) { totalCount } } }`, path: ['customer', 'orders'], allowed: ['customer', 'support', 'admin'] },
  { coordinate: 'Order (through node)', query: () => `{ node(id: "${ids.order}") { id } }`, path: ['node'], allowed: ['customer', 'support', 'inventory_manager', 'admin'] },
  { coordinate: 'OrderItem (through node)', query: () => `{ node(id: "${ids.item}") { id } }`, path: ['node'], allowed: ['customer', 'support', 'inventory_manager', 'admin'] },
  { coordinate: 'Customer (through node)', query: () => `{ node(id: "${ids.customer}") { id } }`, path: ['node'], allowed: ['customer', 'support', 'admin'] },
  { coordinate: 'Warehouse (through node)', query: () => `{ node(id: "${ids.warehouse}") { id } }`, path: ['node'], allowed: ['support', 'inventory_manager', 'admin'] },
  { coordinate: 'InventoryLevel (through node)', query: () => `{ node(id: "${ids.level}") { id } }`, path: ['node'], allowed: ['support', 'inventory_manager', 'admin'] },
  { coordinate: 'Product (public)', query: () => `{ node(id: "${ids.product}") { id ... on Product { sku price { amount } totalAvailable } } }`, path: ['node'], allowed: ['anonymous', 'customer', 'support', 'inventory_manager', 'admin'] },
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
    // Customer.name is String! and Order.customer is Customer!: the order itself becomes null.
    expect(result.body.data).toEqual({ order: null });
    expect(firstError(result)).toMatchObject({ path: ['order', 'customer', 'name'], extensions: { code: 'FORBIDDEN' } });
    const list = await server.queryAs({ 'x-api-key': key }, `{ orders(first: 2) { totalCount edges { node { customer { name } } } } }`);
    // ... and through [OrderEdge!]! and OrderConnection.edges up to orders, itself non-null.
    expect(list.body.data).toBeNull();
    expect(list.body.errors!.map((e) => e.path)).toEqual([0, 1].map((i) => ['orders', 'edges', i, 'node', 'customer', 'name']));
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
    expect(result.body.errors!.map((e) => e.path)).toEqual([['a', 'inventory'], ['b', 'inventory']]);
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

  it('lists only the shopper\'s own orders, counted in SQL, even when filtering for another customer', async () => {
    const { rows } = await server.db.pool.query(`SELECT count(*)::int AS n FROM "Order" WHERE "customerId" = $1`, [own]);
    const mine = await server.queryAs(shopper, `{ orders(first: 100) { totalCount edges { node { customer { id } } } } }`);
    expect(mine.body.data.orders.totalCount).toBe(rows[0].n);
    expect(mine.body.data.orders.edges).toHaveLength(rows[0].n);
    for (const edge of mine.body.data.orders.edges) expect(edge.node.customer.id).toBe(ids.customer);
    const theirs = await server.queryAs(shopper, `{ orders(first: 10, filter: { customerId: "${globalId('Customer', otherOrder.customerId)}" }) { totalCount } }`);
    expect(theirs.body.data.orders.totalCount).toBe(0);
  });

  it.each([
    ['order(id:)', 'order', () => otherOrder.id, 'Order'],
    ['node(id:) of an order', 'node', () => otherOrder.id, 'Order'],
    ['node(id:) of an order line', 'node', () => otherOrder.itemId, 'OrderItem'],
    ['customer(id:)', 'customer', () => globalId('Customer', otherOrder.customerId), 'Customer'],
  ])('answers NOT_FOUND for another customer\'s row through %s, exactly as for an id of no row', async (_name, field, theirId, type) => {
    const theirs = await server.queryAs(shopper, `{ ${field}(id: "${theirId()}") { id } }`);
    const missing = await server.queryAs(shopper, `{ ${field}(id: "${globalId(type, 999999)}") { id } }`);
    expect(theirs.body).toEqual({ ...missing.body, errors: [{ ...missing.body.errors![0], extensions: { ...missing.body.errors![0]!.extensions, traceId: expect.any(String) } }] });
    expect(firstError(theirs)).toMatchObject({ path: [field], extensions: { code: 'NOT_FOUND' } });
  });

  it('keeps one request\'s rows out of another\'s: staff then shopper in turn', async () => {
    const staff = await server.queryAs(as.support!, `{ order(id: "${otherOrder.id}") { id } }`);
    expect(staff.body.data.order.id).toBe(otherOrder.id);
    const after = await server.queryAs(shopper, `{ order(id: "${otherOrder.id}") { id } }`);
    expect(firstError(after).extensions.code).toBe('NOT_FOUND');
  });
});

