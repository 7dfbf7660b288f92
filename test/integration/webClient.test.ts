import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { parse, print } from 'graphql';
import { createCodegenConfig, schemaSourceOfEnv } from '../../examples/web-client/codegen';
import {
  fetchOrderHistoryPage,
  fetchProductPage,
  GraphQLRequestError,
  OrderHistoryDocument,
  placeOrder,
  PlaceOrderDocument,
  ProductPageDocument,
  type RequestOptions,
} from '../../examples/web-client/src';
import { createApiKey } from '../../src/auth/apiKeys';
import { readManifest } from '../../src/persistedDocuments/manifest';
import { createStockedProduct } from '../helpers/orders';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';
import { signToken } from '../helpers/tokens';

/**
 * The web client example (examples/web-client) as a frontend would use it, against a real
 * gateway: its typed operations, its request helper's headers and errors, and its codegen,
 * which must give the same files from the running gateway as from the SDL that CI checks.
 */
let server: TestServer;
let shopper: RequestOptions;
let customerId: number;
let product: { id: number; globalId: string; sku: string };
beforeAll(async () => {
  server = await createTestServer();
  // A customer of its own, so that their order history holds only this file's orders.
  const customer = await server.db.prisma.customer.create({ data: { email: `web-client-${randomUUID()}@example.com`, name: 'Web Client' } });
  customerId = customer.id;
  shopper = { url: server.url, token: await signToken({ roles: ['customer'], customer_id: customerId, sub: `web-client-${customerId}` }) };
  product = await createStockedProduct(server, { 1: 100 }, 1_250);
});
afterAll(() => server.close());

const ordersOfCustomer = () => server.db.prisma.order.count({ where: { customerId } });

describe('the web client example', () => {
  it('shows a product page, and null for an unknown SKU, without a token', async () => {
    const anonymous = { url: server.url };
    expect(await fetchProductPage(anonymous, product.sku)).toEqual({
      id: product.globalId,
      sku: product.sku,
      name: `Test product ${product.sku}`,
      description: '',
      price: { amount: 1_250, currency: 'USD' },
      totalAvailable: 100,
      active: true,
    });
    expect(await fetchProductPage(anonymous, `NO-SUCH-${product.sku}`)).toBeNull();
  });

  it('places an order once per idempotency key: the retry replays the first order', async () => {
    const before = await ordersOfCustomer();
    const idempotencyKey = randomUUID();
    const input = { items: [{ productId: product.globalId, quantity: 2 }] };
    const first = await placeOrder({ ...shopper, idempotencyKey }, input);
    expect(first).toEqual({ order: { id: expect.any(String), status: 'PENDING', total: { amount: 2_500, currency: 'USD' } }, userErrors: [] });
    const retry = await placeOrder({ ...shopper, idempotencyKey }, input);
    expect(retry).toEqual(first);
    expect(await ordersOfCustomer()).toBe(before + 1);
  });

  it("throws the gateway's error code and trace id: the same key with another order is refused", async () => {
    const idempotencyKey = randomUUID();
    await placeOrder({ ...shopper, idempotencyKey }, { items: [{ productId: product.globalId, quantity: 1 }] });
    const traceId = randomUUID().replaceAll('-', '');
    const refusal = placeOrder(
      { ...shopper, idempotencyKey, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      { items: [{ productId: product.globalId, quantity: 3 }] },
    );
    await expect(refusal).rejects.toBeInstanceOf(GraphQLRequestError);
    await expect(refusal).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', traceId, status: 422 });
  });

  it('pages through the order history, newest first, with the cursor of the previous page', async () => {
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { order } = await placeOrder({ ...shopper, idempotencyKey: randomUUID() }, { items: [{ productId: product.globalId, quantity: 1 }] });
      placed.push(order!.id);
    }
    const all = await server.db.prisma.order.count({ where: { customerId } });
    const size = Math.ceil(all / 2);
    const firstPage = await fetchOrderHistoryPage(shopper, { first: size });
    expect(firstPage.orders).toHaveLength(size);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const secondPage = await fetchOrderHistoryPage(shopper, { first: size, after: firstPage.nextCursor });
    expect(secondPage.orders).toHaveLength(all - size);
    expect(secondPage.nextCursor).toBeNull();

    const history = [...firstPage.orders, ...secondPage.orders];
    expect(history.slice(0, 3).map((order) => order.id)).toEqual([...placed].reverse());
    expect(new Set(history.map((order) => order.id)).size).toBe(all);
    expect(history[0]).toEqual({
      id: placed[2],
      status: 'PENDING',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      total: { amount: 1_250, currency: 'USD' },
      itemCount: 1,
      items: [{ quantity: 1, unitPrice: { amount: 1_250, currency: 'USD' }, product: { sku: product.sku, name: `Test product ${product.sku}` } }],
    });
  });

  it.each([
    ['OrderHistory', OrderHistoryDocument],
    ['ProductPage', ProductPageDocument],
    ['PlaceOrder', PlaceOrderDocument],
  ])('sends %s as registered in schema/operations/web-shop, which the schema check guards', async (name, document) => {
    const registered = parse(await readFile(path.join(__dirname, '..', '..', 'schema', 'operations', 'web-shop', `${name}.graphql`), 'utf8'));
    expect(print(document)).toBe(print(registered));
  });

  it.each([
    ['OrderHistory', OrderHistoryDocument],
    ['ProductPage', ProductPageDocument],
    ['PlaceOrder', PlaceOrderDocument],
  ])('carries the id %s has in the trusted-documents manifest', (name, document) => {
    const published = readManifest().operations.find((o) => o.clientName === 'web-shop' && o.name === name)!;
    expect((document as unknown as { __meta__: { hash: string } }).__meta__.hash).toBe(`sha256:${published.id}`);
  });

  it('sends ids only: it runs for an API key of web-shop locked to trusted documents, which is refused any text', async () => {
    const locked = await createTestServer({ TRUSTED_DOCUMENTS_CLIENTS: 'web-shop' });
    try {
      const { key } = await createApiKey(locked.db.prisma, { clientName: 'web-shop', scopes: [], rateTier: 'standard' });
      expect(await fetchProductPage({ url: locked.url, apiKey: key }, product.sku)).toMatchObject({ sku: product.sku, name: `Test product ${product.sku}` });
      const text = await locked.queryAs({ 'x-api-key': key }, print(ProductPageDocument), { sku: product.sku });
      expect(firstError(text).extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    } finally {
      await locked.close();
    }
  });

  it('throws UNAUTHENTICATED for the order history without a token', async () => {
    await expect(fetchOrderHistoryPage({ url: server.url }, { first: 1 })).rejects.toMatchObject({ code: 'UNAUTHENTICATED', traceId: expect.any(String) });
  });
});

/**
 * Runs codegen without writing its files. The CLI's CommonJS build and the presets it loads by
 * name require ES modules (yargs, auto-bind), which jest cannot require: both are imported as
 * ES modules instead, and the preset given as that module.
 */
async function generateInMemory(config: CodegenConfig): Promise<Array<{ filename: string; content: string }>> {
  const [{ generate }, clientPreset] = await Promise.all([import('@graphql-codegen/cli'), import('@graphql-codegen/client-preset')]);
  const generates = Object.fromEntries(
    Object.entries(config.generates).map(([target, output]) => {
      if (Array.isArray(output) || typeof output !== 'object' || output.preset !== 'client') throw new Error(`expected the client preset for ${target}`);
      return [target, { ...output, preset: clientPreset.preset }];
    }),
  );
  return generate({ ...config, generates }, false);
}

describe("the web client example's codegen", () => {
  const committed = (filename: string) => readFile(filename, 'utf8');

  it('generates the committed files from the running gateway, by URL, as from the SDL', async () => {
    // The test server runs as in production: introspection needs schema:read (an admin has it).
    const source = schemaSourceOfEnv({ GRAPHQL_URL: server.url, GRAPHQL_AUTHORIZATION: `Bearer ${await signToken({ roles: ['admin'] })}` });
    const byUrl = await generateInMemory(createCodegenConfig(source));
    const bySdl = await generateInMemory(createCodegenConfig({ kind: 'sdl' }));
    const files = (outputs: Array<{ filename: string }>) => outputs.map((o) => o.filename).sort();
    expect(files(byUrl)).toEqual(files(bySdl));
    expect(files(byUrl).map((f) => f.replace(/.*examples\//, 'examples/'))).toEqual([
      'examples/web-client/src/gql/gql.ts',
      'examples/web-client/src/gql/graphql.ts',
      'examples/web-client/src/gql/index.ts',
      'examples/web-client/src/gql/persisted-documents.json',
    ]);
    for (const output of [...byUrl, ...bySdl]) expect(output.content).toBe(await committed(output.filename));
  }, 60_000);
});
