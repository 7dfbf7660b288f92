import { createHash } from 'node:crypto';
import { createApiKey } from '../../src/auth/apiKeys';
import { readManifest } from '../../src/persistedDocuments/manifest';
import { connectWebSocket, type WebSocketClient } from '../helpers/webSocketClients';
import { createTestServer, jsonOf, type TestServer } from '../helpers/testServer';

const manifest = readManifest();
const productPage = manifest.operations.find((o) => o.clientName === 'web-shop' && o.name === 'ProductPage')!;
const documentId = `sha256:${productPage.id}`;
const stockLevels = manifest.operations.find((o) => o.clientName === 'support-bff' && o.name === 'StockLevels')!;
const variables = { sku: 'SKU-00001' };
const ARBITRARY = '{ products(first: 1) { edges { node { sku } } } }';
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** TRUSTED_DOCUMENTS_CLIENTS=web-shop: an API key of the web shop runs only the manifest's documents. */
let server: TestServer;
let locked: Record<string, string>;
let unlocked: Record<string, string>;
const sockets: WebSocketClient[] = [];

beforeAll(async () => {
  server = await createTestServer({ TRUSTED_DOCUMENTS_CLIENTS: 'web-shop' });
  locked = { 'x-api-key': (await createApiKey(server.db.prisma, { clientName: 'web-shop', scopes: [], rateTier: 'standard' })).key };
  unlocked = { 'x-api-key': (await createApiKey(server.db.prisma, { clientName: 'support-bff', scopes: ['inventory:read'], rateTier: 'standard' })).key };
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await server.close();
});

const post = async (body: unknown, credentials: Record<string, string>) => {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...credentials }, body: JSON.stringify(body) });
  return { status: response.status, body: await jsonOf(response) };
};
const get = async (params: Record<string, string>, credentials: Record<string, string>) => {
  const response = await fetch(`${server.url}?${new URLSearchParams(params)}`, { headers: { 'apollo-require-preflight': 'true', ...credentials } });
  return { status: response.status, body: await jsonOf(response) };
};
/** Over graphql-ws, which needs a string `query`: empty when the operation is named by its id. */
const overWebSocket = (credentials: Record<string, string>, payload: Record<string, unknown>) => {
  const socket = connectWebSocket(server.url, credentials);
  sockets.push(socket);
  return new Promise<{ data?: any; errors?: any[] }>((resolve) => {
    let data: unknown;
    socket.client.subscribe({ query: '', ...payload } as never, {
      next: (value) => (data = value.data),
      error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
      complete: () => resolve({ data }),
    });
  });
};
const refusedAsNotAllowed = (response: { status: number; body: any }) => {
  expect(response.status).toBe(400);
  expect(response.body.data).toBeUndefined();
  expect(response.body.errors).toEqual([
    expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) } }),
  ]);
  expect(response.body.errors[0].message).toContain('web-shop');
};

describe('a client locked to trusted documents', () => {
  it('is refused any other document with PERSISTED_QUERY_NOT_ALLOWED: POST, GET, batches, APQ registration, unknown ids', async () => {
    refusedAsNotAllowed(await post({ query: ARBITRARY }, locked));
    // The text of a trusted document is not its id: a locked client sends ids only.
    refusedAsNotAllowed(await post({ query: productPage.body, variables }, locked));
    refusedAsNotAllowed(await get({ query: ARBITRARY }, locked));
    refusedAsNotAllowed(await post([{ documentId, variables }, { query: ARBITRARY }], locked));
    refusedAsNotAllowed(await post({ query: ARBITRARY, extensions: persisted(sha256(ARBITRARY)) }, locked));
    refusedAsNotAllowed(await post({ extensions: persisted(sha256(ARBITRARY)) }, locked));
    refusedAsNotAllowed(await post({ documentId: `sha256:${sha256(ARBITRARY)}` }, locked));
    // Another client's trusted document: a leaked web-shop key does not run the support tool's operations.
    refusedAsNotAllowed(await post({ documentId: `sha256:${stockLevels.id}` }, locked));
    expect((await post({ documentId: `sha256:${stockLevels.id}`, variables: { first: 1 } }, unlocked)).body.data.warehouses.length).toBeGreaterThan(0);
  });

  it('is refused any other document over WebSocket', async () => {
    const { errors } = await overWebSocket(locked, { query: ARBITRARY });
    expect(errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('is served its registered documents by documentId and by hash: POST, GET, batches, WebSocket', async () => {
    const expected = { product: expect.objectContaining({ sku: 'SKU-00001' }) };
    for (const response of [
      await post({ documentId, variables }, locked),
      await post({ extensions: persisted(productPage.id), variables }, locked),
      await get({ documentId, variables: JSON.stringify(variables) }, locked),
      await get({ extensions: JSON.stringify(persisted(productPage.id)), variables: JSON.stringify(variables) }, locked),
    ]) {
      expect(response.body.errors).toBeUndefined();
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual(expected);
    }
    const batch = await post(
      [
        { documentId, variables },
        { documentId, variables: { sku: 'SKU-00002' } },
      ],
      locked,
    );
    expect(batch.body.map((item: { data: any }) => item.data.product.sku)).toEqual(['SKU-00001', 'SKU-00002']);
    expect(await overWebSocket(locked, { documentId, variables })).toEqual({ data: expected });
    expect(await overWebSocket(locked, { extensions: persisted(productPage.id), variables })).toEqual({ data: expected });
  });
});

describe('clients that are not locked', () => {
  it('send any document, over HTTP and WebSocket', async () => {
    expect((await post({ query: ARBITRARY }, unlocked)).body.data.products.edges).toHaveLength(1);
    expect((await post({ query: ARBITRARY }, {})).body.data.products.edges).toHaveLength(1);
    expect((await overWebSocket(unlocked, { query: ARBITRARY })).data.products.edges).toHaveLength(1);
  });

  it('run a trusted document by its id, never registered first, whoever they are', async () => {
    for (const credentials of [unlocked, {}, await server.bearer({ roles: ['support'] })]) {
      const response = await post({ documentId, variables }, credentials);
      expect(response.body.data.product.sku).toBe('SKU-00001');
    }
  });

  it('get PERSISTED_QUERY_NOT_FOUND for an id that is not in the manifest, and BAD_REQUEST for a malformed one', async () => {
    const unknown = await post({ documentId: `sha256:${sha256(ARBITRARY)}` }, unlocked);
    expect(unknown.status).toBe(200);
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    for (const malformed of [`md5:${'a'.repeat(32)}`, productPage.id, 42, `sha256:${productPage.id.toUpperCase()}`]) {
      const response = await post({ documentId: malformed }, unlocked);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    const both = await post({ documentId, query: ARBITRARY }, unlocked);
    expect(both.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('get PERSISTED_QUERY_NOT_SUPPORTED for an automatic persisted query over WebSocket, which is HTTP only', async () => {
    const { errors } = await overWebSocket(unlocked, { extensions: persisted(sha256(ARBITRARY)) });
    expect(errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_SUPPORTED', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // A query sent with its own hash runs (the hash checked, nothing registered).
    expect((await overWebSocket(unlocked, { query: ARBITRARY, extensions: persisted(sha256(ARBITRARY)) })).data.products.edges).toHaveLength(1);
  });
});
