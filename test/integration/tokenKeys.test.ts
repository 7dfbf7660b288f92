import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { createTestServer, firstError } from '../helpers/testServer';

/** Production verifies tokens with an identity provider's public keys: a JWKS URL or a PEM key. */
const QUERY = '{ warehouses { code } }';
const sign = (privateKey: KeyLike, kid?: string) =>
  new SignJWT({ roles: ['support'] })
    .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
    .setSubject('idp-user')
    .setIssuer('orders-gateway')
    .setAudience('orders-gateway')
    .setExpirationTime('5m')
    .sign(privateKey);

describe('public-key token verification', () => {
  let keys: { publicKey: KeyLike; privateKey: KeyLike };
  let stranger: { privateKey: KeyLike };
  let jwks: Server;
  let jwksUrl: string;
  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => jwks.close(resolve)));

  it('accepts tokens signed by a key of the JWKS and rejects others', async () => {
    const server = await createTestServer({ JWT_SECRET: '', JWT_JWKS_URL: jwksUrl });
    try {
      const ok = await server.queryAs({ authorization: `Bearer ${await sign(keys.privateKey, 'key-1')}` }, QUERY);
      expect(ok.body.data.warehouses.length).toBeGreaterThan(0);
      const forged = await server.queryAs({ authorization: `Bearer ${await sign(stranger.privateKey, 'key-1')}` }, QUERY);
      expect(forged.status).toBe(401);
      expect(firstError(forged).message).toContain('signature does not verify');
      const hs256 = await server.queryAs(await server.bearer({ roles: ['admin'] }), QUERY);
      expect(firstError(hs256).message).toContain('algorithm this gateway does not accept');
    } finally {
      await server.close();
    }
  });

  it('accepts tokens verified with a PEM public key', async () => {
    const server = await createTestServer({ JWT_SECRET: '', JWT_PUBLIC_KEY: await exportSPKI(keys.publicKey) });
    try {
      expect((await server.queryAs({ authorization: `Bearer ${await sign(keys.privateKey)}` }, QUERY)).body.data.warehouses.length).toBeGreaterThan(0);
      expect((await server.queryAs({ authorization: `Bearer ${await sign(stranger.privateKey)}` }, QUERY)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
