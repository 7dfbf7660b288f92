import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createApiKey, hashApiKey, revokeApiKey } from '../../src/auth/apiKeys';
import { createTestServer, firstError, testDatabaseUrl, type TestServer } from '../helpers/testServer';
import { TEST_AUTH_ENV, signToken } from '../helpers/tokens';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer(TEST_AUTH_ENV);
});
afterAll(() => server.close());

const QUERY = '{ products(first: 1) { edges { node { sku } } } }';
const asBearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('authentication', () => {
  it('accepts a valid bearer token and anonymous requests', async () => {
    expect((await server.query(QUERY, undefined, asBearer(await signToken({ roles: ['admin'] })))).status).toBe(200);
    expect((await server.queryAs(null, QUERY)).body.data.products.edges).toHaveLength(1);
  });

  it.each([
    ['an expired token', () => signToken({}, { expiresIn: '-2m' }), 'the token has expired'],
    ['a token signed with another secret', () => signToken({}, { secret: 'another-secret-another-secret-another-secret' }), 'signature does not verify'],
    ['a token for another audience', () => signToken({}, { audience: 'someone-else' }), 'claim "aud"'],
    ['a token from another issuer', () => signToken({}, { issuer: 'evil' }), 'claim "iss"'],
    ['a token with an unknown role', () => signToken({ roles: ['superuser'] }), '"roles" must be a list of'],
    ['garbage', async () => 'not.a.jwt', 'malformed'],
  ])('rejects %s with 401 UNAUTHENTICATED', async (_name, token, message) => {
    const result = await server.query(QUERY, undefined, asBearer(await token()));
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toBe('Bearer');
    expect(firstError(result).extensions).toEqual({ code: 'UNAUTHENTICATED', traceId: result.headers.get('x-trace-id') });
    expect(firstError(result).message).toContain(message);
    expect(result.body.data).toBeUndefined();
  });

  it('accepts a token that expired within the clock tolerance (30 s)', async () => {
    const result = await server.query(QUERY, undefined, asBearer(await signToken({}, { expiresIn: '-10s' })));
    expect(result.status).toBe(200);
  });

  it('rejects a malformed Authorization header and mixed credentials', async () => {
    expect((await server.query(QUERY, undefined, { authorization: 'Basic dXNlcjpwdw==' })).status).toBe(401);
    const token = await signToken();
    const both = await server.query(QUERY, undefined, { ...asBearer(token), 'x-api-key': 'ogw_x' });
    expect(firstError(both).message).toContain('not both');
  });
});

describe('API keys', () => {
  it('authenticates with a created key, stores only its hash, and stops after revocation', async () => {
    const { key, record } = await createApiKey(server.db.prisma, { clientName: 'web-bff', scopes: ['orders:read'], rateTier: 'standard' });
    expect(record.keyHash).toBe(hashApiKey(key));
    const stored = await server.db.pool.query(`SELECT * FROM "ApiKey" WHERE id = $1`, [record.id]);
    expect(JSON.stringify(stored.rows)).not.toContain(key.slice(16));

    expect((await server.query(QUERY, undefined, { 'x-api-key': key })).status).toBe(200);
    await revokeApiKey(server.db.prisma, record.prefix);
    const revoked = await server.query(QUERY, undefined, { 'x-api-key': key });
    expect(revoked.status).toBe(401);
    expect(firstError(revoked).message).toContain('unknown or revoked API key');
  });

  it('rejects unknown and malformed keys with 401', async () => {
    const unknown = `ogw_${'A'.repeat(11)}_${'B'.repeat(43)}`;
    expect(firstError(await server.query(QUERY, undefined, { 'x-api-key': unknown })).message).toContain('unknown or revoked');
    expect(firstError(await server.query(QUERY, undefined, { 'x-api-key': 'hunter2' })).message).toContain('malformed API key');
  });

  it('refuses to create a key with an unknown scope', async () => {
    await expect(createApiKey(server.db.prisma, { clientName: 'x', scopes: ['everything'], rateTier: 'standard' })).rejects.toThrow(
      'Unknown scopes: everything',
    );
  });
});

describe('npm run apikey', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(path.resolve(__dirname, '../../node_modules/.bin/tsx'), ['src/cli/apiKey.ts', ...args], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('exit', (code) => resolve({ code, output }));
    });

  it('creates a key (printed once), lists it without the secret, and revokes it', async () => {
    const created = await run(['create', '--client', 'cli-bff', '--scopes', 'orders:read,inventory:read', '--tier', 'premium']);
    expect(created.code).toBe(0);
    const key = /^(ogw_\S+)$/m.exec(created.output)![1]!;
    expect((await server.query(QUERY, undefined, { 'x-api-key': key })).status).toBe(200);
    const prefix = key.slice('ogw_'.length, 'ogw_'.length + 11); // base64url: may itself hold '_'
    const listed = await run(['list']);
    expect(listed.output).toMatch(new RegExp(`${prefix}\\s+cli-bff\\s+\\[orders:read inventory:read\\]\\s+tier=premium`));
    expect(listed.output).not.toContain(key);
    expect((await run(['revoke', prefix])).code).toBe(0);
    expect((await server.query(QUERY, undefined, { 'x-api-key': key })).status).toBe(401);
    expect((await run(['create', '--client', 'x', '--scopes', 'root'])).output).toMatch(/Unknown scopes: root/);
  }, 60_000);

  it('revokes a key whose prefix begins with a dash (base64url), not reading it as an option', async () => {
    const prefix = `-${randomBytes(8).toString('base64url').slice(1)}`;
    await server.db.prisma.apiKey.create({
      data: { clientName: 'dash-bff', prefix, keyHash: randomBytes(32).toString('hex'), scopes: [], rateTier: 'standard' },
    });
    const revoked = await run(['revoke', prefix]);
    expect(revoked).toMatchObject({ code: 0, output: expect.stringContaining(`Revoked ${prefix} (dash-bff)`) });
  }, 60_000);
});
