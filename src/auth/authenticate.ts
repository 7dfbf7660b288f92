import { createRemoteJWKSet, errors as joseErrors, importSPKI, jwtVerify, type JWTVerifyGetKey, type KeyLike } from 'jose';
import type { Config } from '../config';
import { BadCredentialsError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { createApiKeyVerifier } from './apiKeys';
import { viewerFromClaims, type Viewer } from './viewer';

/** What a client presents: an `Authorization: Bearer` header, or an `X-API-Key` header. */
export interface Credentials {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

export type Authenticate = (credentials: Credentials) => Promise<Viewer | null>;

/**
 * Turns a request's credentials into a viewer: `X-API-Key` for services, `Authorization:
 * Bearer <JWT>` for users, neither for anonymous (null). Credentials that are present but
 * wrong fail the request with UNAUTHENTICATED (HTTP 401).
 */
export async function createAuthenticator(config: Config['auth'], prisma: PrismaClient): Promise<Authenticate> {
  const verifyApiKey = createApiKeyVerifier(prisma, { cacheMs: config.apiKeyCacheMs });
  const key = await loadVerificationKey(config);
  const algorithms = config.jwtSecret ? ['HS256'] : ['RS256', 'ES256', 'EdDSA'];
  return async ({ authorization, apiKey }) => {
    if (apiKey !== undefined) {
      if (authorization !== undefined) throw new BadCredentialsError('send either an API key or a bearer token, not both');
      return verifyApiKey(apiKey);
    }
    if (authorization === undefined) return null;
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
    if (!match) throw new BadCredentialsError('the Authorization header must be "Bearer <JWT>"');
    if (!key) throw new BadCredentialsError('bearer tokens are not accepted: no JWT key is configured');
    try {
      const { payload } = await jwtVerify(match[1]!, key as KeyLike & JWTVerifyGetKey, {
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        algorithms,
        clockTolerance: config.jwtClockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return viewerFromClaims(payload as Record<string, unknown>);
    } catch (error) {
      if (error instanceof BadCredentialsError) throw error;
      throw new BadCredentialsError(describeJoseError(error));
    }
  };
}

async function loadVerificationKey(config: Config['auth']) {
  if (config.jwtSecret) return new TextEncoder().encode(config.jwtSecret);
  if (config.jwtPublicKey) return importSPKI(config.jwtPublicKey, config.jwtPublicKeyAlgorithm);
  if (config.jwksUrl) return createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 2000, cooldownDuration: 30_000 });
  return null;
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `claim "${error.claim}" ${error.reason === 'check_failed' ? 'is not accepted' : 'is missing or malformed'}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this gateway does not accept';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the key set matches the token';
  return 'the token is malformed';
}
