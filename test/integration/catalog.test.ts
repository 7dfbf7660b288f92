import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

describe('catalog', () => {
  it('fetches a product by SKU and by id, with price, stock and total availability', async () => {
    const bySku = await server.query(
      `{ product(sku: "SKU-00001") { id sku price { amount currency } totalAvailable inventory { onHand reserved available } } }`,
    );
    const product = bySku.body.data.product;
    expect(product.sku).toBe('SKU-00001');
    expect(product.price.currency).toBe('USD');
    for (const level of product.inventory) expect(level.available).toBe(level.onHand - level.reserved);
    expect(product.totalAvailable).toBe(product.inventory.reduce((n: number, l: any) => n + l.available, 0));
    const byId = await server.query(`query($id: ID!) { product(id: $id) { sku } }`, { id: product.id });
    expect(byId.body.data.product.sku).toBe('SKU-00001');
  });

  it('answers NOT_FOUND for an unknown SKU', async () => {
    const result = await server.query(`{ product(sku: "NOPE") { id } }`);
    expect(result.body.data).toEqual({ product: null });
    expect(firstError(result)).toMatchObject({ message: 'No Product has SKU "NOPE".', extensions: { code: 'NOT_FOUND' } });
  });

  it('requires exactly one of id and sku', async () => {
    for (const args of ['', '(id: "UHJvZHVjdDox", sku: "SKU-00001")']) {
      const result = await server.query(`{ product${args} { id } }`);
      expect(firstError(result)).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT' },
        message: 'Pass exactly one of "id" or "sku" (an empty one counts as not given).',
      });
    }
  });

  it('filters products by active flag and by case-insensitive search in name or SKU', async () => {
    const inactive = await server.query(`{ products(first: 100, filter: { active: false }) { totalCount edges { node { active } } } }`);
    expect(inactive.body.data.products.totalCount).toBeGreaterThan(0);
    for (const { node } of inactive.body.data.products.edges) expect(node.active).toBe(false);
    const search = await server.query(`{ products(first: 100, filter: { search: "sku-0001" }) { edges { node { sku } } } }`);
    expect(search.body.data.products.edges.map((e: any) => e.node.sku)).toEqual([
      'SKU-00010',
      'SKU-00011',
      'SKU-00012',
      'SKU-00013',
      'SKU-00014',
      'SKU-00015',
      'SKU-00016',
      'SKU-00017',
      'SKU-00018',
      'SKU-00019',
    ]);
    const tooLong = await server.query(`{ products(filter: { search: "${'x'.repeat(101)}" }) { totalCount } }`);
    expect(firstError(tooLong).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('pages products in catalogue order', async () => {
    const first = await server.query(`{ products(first: 25) { pageInfo { endCursor hasNextPage } edges { node { sku } } } }`);
    const next = await server.query(`query($after: String) { products(first: 25, after: $after) { edges { node { sku } } } }`, {
      after: first.body.data.products.pageInfo.endCursor,
    });
    expect(first.body.data.products.pageInfo.hasNextPage).toBe(true);
    expect(next.body.data.products.edges[0].node.sku).toBe('SKU-00026');
  });
});

describe('inventory', () => {
  it("lists warehouses by code and pages each warehouse's stock", async () => {
    const result = await server.query(
      `{ warehouses { code region inventory(first: 5) { pageInfo { hasNextPage endCursor } edges { node { warehouse { code } onHand available } } } } }`,
    );
    const warehouses = result.body.data.warehouses;
    expect(warehouses.map((w: any) => w.code)).toEqual(['AMS-1', 'FRA-1', 'IAD-1']);
    for (const warehouse of warehouses) {
      expect(warehouse.inventory.edges).toHaveLength(5);
      for (const { node } of warehouse.inventory.edges) expect(node.warehouse.code).toBe(warehouse.code);
    }
  });
});

describe('node', () => {
  it('refetches every Node type by its global id', async () => {
    const seed = await server.query(
      `{ orders(first: 1) { edges { node { id customer { id } items { id product { id inventory { id warehouse { id } } } } } } } }`,
    );
    const order = seed.body.data.orders.edges[0].node;
    const item = order.items[0];
    const ids = [order.id, order.customer.id, item.id, item.product.id, item.product.inventory[0].id, item.product.inventory[0].warehouse.id];
    const result = await server.query(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(result.body.data.nodes.map((n: any) => n.__typename)).toEqual(['Order', 'Customer', 'OrderItem', 'Product', 'InventoryLevel', 'Warehouse']);
    expect(result.body.data.nodes.map((n: any) => n.id)).toEqual(ids);
    const one = await server.query(`query($id: ID!) { node(id: $id) { ... on Order { id } } }`, { id: order.id });
    expect(one.body.data.node.id).toBe(order.id);
  });

  it('answers NOT_FOUND for ids of missing rows and BAD_USER_INPUT for malformed ids', async () => {
    const missing = Buffer.from('Warehouse:999').toString('base64url');
    const result = await server.query(`{ nodes(ids: ["${missing}"]) { id } }`);
    expect(result.body.data.nodes).toEqual([null]);
    expect(firstError(result)).toMatchObject({ path: ['nodes', 0], extensions: { code: 'NOT_FOUND' } });
    const bad = await server.query(`{ nodes(ids: ["${missing}", "%%%"]) { id } }`);
    expect(firstError(bad)).toMatchObject({ message: 'Argument "ids[1]" is not a valid ID.', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('caps nodes(ids:) at 100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => Buffer.from(`Order:${i + 1}`).toString('base64url'));
    const result = await server.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(firstError(result).extensions.code).toBe('BAD_USER_INPUT');
  });
});
