import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The body of the README's first request (its first screen's curl): what a deployment must serve. */
export function readmeQuery(): { query: string } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const body = /curl -s http:\/\/127\.0\.0\.1:4000\/graphql [^\n]*-d '(\{"query":[^']*)'/.exec(readme)?.[1];
  if (!body) throw new Error('README.md: no curl with -d \'{"query": ...}\' on its first screen');
  return JSON.parse(body) as { query: string };
}

/**
 * A key pair as docs/deployment.md makes one (RSA, PEM): the public key for JWT_PUBLIC_KEY and
 * the private key written to `dir`, for `token:dev --private-key`.
 */
export function writeJwtKeyPair(dir: string): { publicKey: string; privateKeyFile: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKeyFile = path.join(dir, 'jwt-private.pem');
  writeFileSync(privateKeyFile, privateKey, { mode: 0o600 });
  return { publicKey, privateKeyFile };
}
