import { parseArgs } from 'node:util';
import { signHs256Token } from '../auth/signToken';
import { ROLES, isRole } from '../auth/scopes';
import { loadConfig } from '../config';

// npm run token:dev -- --role admin | --role customer --customer 7 [--scope "orders:read"] [--ttl 3600]
// Signs with the HS256 secret the server uses in development or tests (JWT_SECRET, or the
// built-in development secret). Production verifies tokens from your identity provider.
const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: [] },
    customer: { type: 'string' },
    scope: { type: 'string', default: '' },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  },
});

const config = loadConfig();
const secret = config.auth.jwtSecret;
if (!secret) {
  console.error('No HS256 secret: set JWT_SECRET, or run with NODE_ENV=development (the default) for the development secret.');
  process.exit(2);
}
const unknown = values.role.filter((r) => !isRole(r));
if (unknown.length) {
  console.error(`Unknown roles: ${unknown.join(', ')}. Roles: ${Object.keys(ROLES).join(', ')}.`);
  process.exit(2);
}
const claims: Record<string, unknown> = { roles: values.role };
if (values.scope) claims.scope = values.scope;
if (values.customer) claims.customer_id = Number(values.customer);

void signHs256Token({
  secret,
  issuer: config.auth.jwtIssuer,
  audience: config.auth.jwtAudience,
  subject: values.sub ?? (values.customer ? `customer-${values.customer}` : `dev-${values.role.join('-') || 'user'}`),
  claims,
  expiresIn: `${Number(values.ttl)}s`,
}).then((token) => console.log(token));
