import { signHs256Token } from '../../src/auth/signToken';

export const TEST_JWT_SECRET = 'test-secret-for-the-gateway-test-suite-0123456789';
export const TEST_AUTH_ENV = { JWT_SECRET: TEST_JWT_SECRET, API_KEY_CACHE_MS: '0' };

/** A signed HS256 token as the test server accepts it; override any claim or the key. */
export function signToken(
  claims: Record<string, unknown> = {},
  { secret = TEST_JWT_SECRET, issuer = 'orders-gateway', audience = 'orders-gateway', expiresIn = '5m', subject = 'user-1' } = {},
): Promise<string> {
  return signHs256Token({ secret, issuer, audience, subject: typeof claims.sub === 'string' ? claims.sub : subject, claims, expiresIn });
}
