import { SignJWT } from 'jose';

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
