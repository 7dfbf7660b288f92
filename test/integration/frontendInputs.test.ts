import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

/**
 * What a frontend naturally sends is accepted where a specialist would accept it: a cleared
 * form field (an empty string) means "not given", a date range that holds nothing answers
 * nothing. Each rule is in the schema's descriptions.
 */
let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

const totalProducts = async (filter?: Record<string, unknown>) =>
  (await server.query('query($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }', { f: filter })).body;

describe('inputs a frontend sends', () => {
  it('reads an empty search box (or only spaces) as no search', async () => {
    const all = await totalProducts();
    for (const search of ['', '   ']) expect(await totalProducts({ search })).toEqual(all);
    expect((await totalProducts({ search: 'x'.repeat(101) })).errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('reads an empty cursor as the start of the list', async () => {
    const query = 'query($after: String) { orders(first: 3, after: $after) { edges { node { id } } } }';
    expect((await server.query(query, { after: '' })).body.data).toEqual((await server.query(query)).body.data);
  });

  it('reads an empty product id beside a SKU as not given', async () => {
    const result = await server.query('{ product(id: "", sku: "SKU-00001") { sku } }');
    expect(result.body.data.product.sku).toBe('SKU-00001');
    expect(firstError(await server.query('{ product(id: "", sku: "") { sku } }')).message).toMatch(/exactly one of "id" or "sku"/);
  });

  it('reads an empty customer id in an order filter as any customer, and an empty date range as no orders', async () => {
    const count = (filter: Record<string, unknown>) => server.query('query($f: OrderFilter) { orders(first: 1, filter: $f) { totalCount } }', { f: filter });
    expect((await count({ customerId: '' })).body.data).toEqual((await count({})).body.data);
    const empty = await count({ createdAfter: '2026-02-01T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' });
    expect(empty.body).toMatchObject({ data: { orders: { totalCount: 0 } } });
    expect(empty.body.errors).toBeUndefined();
  });
});
