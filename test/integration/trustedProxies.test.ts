import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';
import { requestUpgrade } from '../helpers/webSocketClients';

const QUERY = `query($first: Int) { products(first: $first) { edges { node { sku } } } }`; // costs 1 + first x 2
/** An anonymous bucket of 30 points that hardly refills: one query of 29 points empties it. */
const LIMITS = {
  RATE_LIMIT: 'on',
  RESPONSE_CACHE: 'off',
  RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { bucketSize: 30, restoreRate: 0.01 } }),
  WS_MAX_CONNECTIONS_PER_CLIENT: '1',
};

/** Empties the bucket of whoever `forwardedFor` makes the client, then asks again as `next`: the second answer's status. */
async function statusAfterEmptying(server: TestServer, forwardedFor: string, next: string): Promise<number> {
  const first = await server.queryAs({ 'x-forwarded-for': forwardedFor }, QUERY, { first: 14 });
  expect(first.status).toBe(200);
  const second = await server.queryAs({ 'x-forwarded-for': next }, QUERY, { first: 1 });
  if (second.status === 429) expect(firstError(second).extensions.code).toBe('RATE_LIMITED');
  return second.status;
}

/** Opens a WebSocket upgrade as `forwardedFor`: 101 (kept open until `close`) or the refusal's status. */
async function upgrade(url: string, forwardedFor: string, open: Duplex[]): Promise<number> {
  const { status, socket } = await requestUpgrade(url, { 'x-forwarded-for': forwardedFor });
  if (socket) open.push(socket);
  return status;
}

describe('client addresses behind a proxy (TRUSTED_PROXIES)', () => {
  let trusted: TestServer;
  let onlyTheProxy: TestServer;
  let untrusted: TestServer;
  const sockets: Duplex[] = [];
  beforeAll(async () => {
    // Each server's buckets under a prefix of its own: runs sharing a Redis never meet.
    const prefix = () => ({ RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}:` });
    trusted = await createTestServer({ ...LIMITS, ...prefix(), TRUSTED_PROXIES: 'loopback' });
    onlyTheProxy = await createTestServer({ ...LIMITS, ...prefix(), TRUSTED_PROXIES: '127.0.0.1' });
    untrusted = await createTestServer({ ...LIMITS, ...prefix() });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([trusted.close(), onlyTheProxy.close(), untrusted.close()]);
  });

  it('gives each client a trusted proxy forwards a bucket of its own', async () => {
    expect(await statusAfterEmptying(trusted, '203.0.113.1', '203.0.113.1')).toBe(429);
    expect((await trusted.queryAs({ 'x-forwarded-for': '203.0.113.2' }, QUERY, { first: 1 })).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer it does not trust: a client cannot pick a fresh bucket', async () => {
    expect(await statusAfterEmptying(untrusted, '203.0.113.1', '203.0.113.2')).toBe(429);
  });

  it('takes the address the trusted proxy saw, not one the client wrote into the header before it', async () => {
    // The proxy appends its peer (203.0.113.3) to what the client sent (198.51.100.7): the client is 203.0.113.3.
    expect(await statusAfterEmptying(onlyTheProxy, '198.51.100.7, 203.0.113.3', '203.0.113.3')).toBe(429);
    expect((await onlyTheProxy.queryAs({ 'x-forwarded-for': '203.0.113.3, 203.0.113.4' }, QUERY, { first: 1 })).status).toBe(200);
  });

  it('counts WebSocket connections per forwarded client (WS_MAX_CONNECTIONS_PER_CLIENT)', async () => {
    expect(await upgrade(trusted.url, '203.0.113.10', sockets)).toBe(101);
    expect(await upgrade(trusted.url, '203.0.113.10', sockets)).toBe(429);
    expect(await upgrade(trusted.url, '203.0.113.11', sockets)).toBe(101);
    // Without trust, both are the one peer.
    expect(await upgrade(untrusted.url, '203.0.113.10', sockets)).toBe(101);
    expect(await upgrade(untrusted.url, '203.0.113.11', sockets)).toBe(429);
  });
});
