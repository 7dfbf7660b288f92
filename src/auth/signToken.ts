import { importPKCS8, SignJWT } from 'jose';

/**
 * Signs an HS256 token as this gateway verifies it: for development (npm run token:dev), the
 * benchmark and the schema check's --execute, which all hold the shared secret. Production
 * tokens come from an identity provider.
 */
export function signHs256Token(options: {
  secret: string;
  issuer: string;
  audience: string;
  subject: string;
  claims: Record<string, unknown>;
  expiresIn: string;
}): Promise<string> {
  return new SignJWT(options.claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn)
    .sign(new TextEncoder().encode(options.secret));
}

/**
 * Signs a token with a PEM private key (PKCS#8), for a gateway that verifies with the matching
 * JWT_PUBLIC_KEY: a demo deployment or a staging one without an identity provider.
 */
export async function signWithPrivateKey(options: {
  privateKeyPem: string;
  algorithm: 'RS256' | 'ES256' | 'EdDSA';
  issuer: string;
  audience: string;
  subject: string;
  claims: Record<string, unknown>;
  expiresIn: string;
}): Promise<string> {
  const key = await importPKCS8(options.privateKeyPem, options.algorithm);
  return new SignJWT(options.claims)
    .setProtectedHeader({ alg: options.algorithm })
    .setSubject(options.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn)
    .sign(key);
}
