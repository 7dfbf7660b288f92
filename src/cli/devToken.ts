import { readFileSync } from 'node:fs';
import { signHs256Token, signWithPrivateKey } from '../auth/signToken';
import { ROLES, SCOPES, isRole, isScope } from '../auth/scopes';
import { loadConfig } from '../config';
import { parseCli, runCli, UsageError } from './cli';

const USAGE = `Usage: npm run token:dev -- --role <role> [--role <role> ...] [--customer <id>] [--scope "<scope> <scope>"]
                             [--sub <subject>] [--ttl <seconds>] [--private-key <file>]
Prints a token the gateway accepts in development and tests: signed with JWT_SECRET, or with the
built-in development secret when NODE_ENV=development (the default) and no key is configured.
With --private-key, signed with that PEM (PKCS#8) private key and JWT_PUBLIC_KEY_ALG (default
RS256), for a gateway whose JWT_PUBLIC_KEY is its public half (docs/deployment.md). Production
verifies tokens from your identity provider instead.

  --role      ${Object.keys(ROLES).join(', ')} (repeatable)
  --customer  the customer's database id: required with --role customer (a shopper's token)
  --scope     extra scopes, space-separated: ${SCOPES.join(' ')}
  --sub       the subject (default: customer-<id>, or dev-<roles>)
  --ttl       lifetime in seconds (default 3600)
  --private-key  a PEM private key file to sign with instead of an HS256 secret

Example: TOKEN=$(npm run --silent token:dev -- --role customer --customer 7)`;

runCli(async () => {
  const { values } = parseCli(USAGE, {
    role: { type: 'string', multiple: true, default: [] },
    customer: { type: 'string' },
    scope: { type: 'string', default: '' },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    'private-key': { type: 'string' },
  });
  const config = loadConfig();
  const secret = config.auth.jwtSecret;
  const privateKeyFile = values['private-key'];
  if (!secret && !privateKeyFile) {
    throw new UsageError('No HS256 secret: set JWT_SECRET, run with NODE_ENV=development (the default) for the development secret, or pass --private-key.');
  }
  const unknownRoles = values.role.filter((r) => !isRole(r));
  if (unknownRoles.length) throw new UsageError(`Unknown roles: ${unknownRoles.join(', ')}. Roles: ${Object.keys(ROLES).join(', ')}.`);
  const unknownScopes = values.scope.split(' ').filter((s) => s && !isScope(s));
  if (unknownScopes.length) throw new UsageError(`Unknown scopes: ${unknownScopes.join(', ')}. Scopes: ${SCOPES.join(' ')}.`);
  // The gateway refuses a shopper's token without the customer it belongs to: say so now.
  if (values.role.includes('customer') && values.customer === undefined) {
    throw new UsageError("--role customer needs --customer <id>: a shopper's token names the customer it reads for.");
  }
  if (values.customer !== undefined && !/^[1-9][0-9]{0,9}$/.test(values.customer)) {
    throw new UsageError(`--customer is a customer's database id, a positive integer; got "${values.customer}".`);
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1) throw new UsageError(`--ttl is a number of seconds; got "${values.ttl}".`);
  const claims: Record<string, unknown> = { roles: values.role };
  if (values.scope) claims.scope = values.scope;
  if (values.customer !== undefined) claims.customer_id = Number(values.customer);
  const signed = {
    issuer: config.auth.jwtIssuer,
    audience: config.auth.jwtAudience,
    subject: values.sub ?? (values.customer ? `customer-${values.customer}` : `dev-${values.role.join('-') || 'user'}`),
    claims,
    expiresIn: `${ttl}s`,
  };
  const token = privateKeyFile
    ? await signWithPrivateKey({ ...signed, privateKeyPem: readPrivateKey(privateKeyFile), algorithm: config.auth.jwtPublicKeyAlgorithm })
    : await signHs256Token({ ...signed, secret: secret! });
  console.log(token);
});

function readPrivateKey(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--private-key: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new UsageError(`--private-key: ${file} is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); \`openssl genpkey\` writes one.`);
  }
  return pem;
}
