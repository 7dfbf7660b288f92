import { importPKCS8, SignJWT, type KeyLike } from 'jose';

/** What every token this project signs carries, whatever signs it. */
interface TokenContents {
  issuer: string;
  audience: string;
  subject: string;
  claims: Record<string, unknown>;
  expiresIn: string;
}

function sign(contents: TokenContents, algorithm: string, key: KeyLike | Uint8Array): Promise<string> {
  return new SignJWT(contents.claims)
    .setProtectedHeader({ alg: algorithm })
    .setSubject(contents.subject)
    .setIssuer(contents.issuer)
    .setAudience(contents.audience)
    .setIssuedAt()
    .setExpirationTime(contents.expiresIn)
    .sign(key);
}

/**
 * Signs an HS256 token as this gateway verifies it: for development (npm run token:dev), the
 * benchmark and the schema check's --execute, which all hold the shared secret. Production
 * tokens come from an identity provider.
 */
export function signHs256Token(options: TokenContents & { secret: string }): Promise<string> {
  return sign(options, 'HS256', new TextEncoder().encode(options.secret));
}

/**
 * Signs a token with a PEM private key (PKCS#8), for a gateway that verifies with the matching
 * JWT_PUBLIC_KEY: a demo deployment, a staging one without an identity provider, the load test.
 */
export async function signWithPrivateKey(options: TokenContents & { privateKeyPem: string; algorithm: 'RS256' | 'ES256' | 'EdDSA' }): Promise<string> {
  return sign(options, options.algorithm, await importPKCS8(options.privateKeyPem, options.algorithm));
}
