import { signHs256Token } from '../auth/signToken';
import { ROLES, SCOPES, isRole, isScope } from '../auth/scopes';
import { loadConfig } from '../config';
import { parseCli, runCli, UsageError } from './cli';

const USAGE = `Usage: npm run token:dev -- --role <role> [--role <role> ...] [--customer <id>] [--scope "<scope> <scope>"]
                             [--sub <subject>] [--ttl <seconds>]
Prints a token the gateway accepts in development and tests: signed with JWT_SECRET, or with the
built-in development secret when NODE_ENV=development (the default) and no key is configured.
Production verifies tokens from your identity provider instead.

  --role      ${Object.keys(ROLES).join(', ')} (repeatable)
  --customer  the customer's database id: required with --role customer (a shopper's token)
  --scope     extra scopes, space-separated: ${SCOPES.join(' ')}
  --sub       the subject (default: customer-<id>, or dev-<roles>)
  --ttl       lifetime in seconds (default 3600)

Example: TOKEN=$(npm run --silent token:dev -- --role customer --customer 7)`;

runCli(async () => {
  const { values } = parseCli(USAGE, {
    role: { type: 'string', multiple: true, default: [] },
    customer: { type: 'string' },
    scope: { type: 'string', default: '' },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  });
  const config = loadConfig();
  const secret = config.auth.jwtSecret;
  if (!secret) throw new UsageError('No HS256 secret: set JWT_SECRET, or run with NODE_ENV=development (the default) for the development secret.');
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
  const token = await signHs256Token({
    secret,
    issuer: config.auth.jwtIssuer,
    audience: config.auth.jwtAudience,
    subject: values.sub ?? (values.customer ? `customer-${values.customer}` : `dev-${values.role.join('-') || 'user'}`),
    claims,
    expiresIn: `${ttl}s`,
  });
  console.log(token);
});
