import { BadCredentialsError } from '../errors';
import { ROLES, isRole, isScope, type Role, type Scope } from './scopes';

/** Who is asking. Anonymous requests have no viewer (null). */
export interface Viewer {
  kind: 'user' | 'service';
  /** The token's subject, or the API key's id. */
  id: string;
  roles: readonly Role[];
  scopes: ReadonlySet<Scope>;
  /** Set for shoppers: row-level rules limit them to this customer's rows. */
  customerId: number | null;
  /** The calling service's name (API keys); users have none. */
  clientName: string | null;
  /** The rate-limit tier: API keys carry one, users get "user". */
  rateTier: string;
  /** When the credential stops being valid (a token's `exp`, in ms); null for API keys, which are revoked instead. */
  expiresAt: number | null;
}

/**
 * A viewer from verified JWT claims: `sub`, `roles` (role names), `scope` (space-separated
 * scopes, as OAuth 2 writes them) and `customer_id` for shoppers. A role or scope this gateway
 * does not know makes the token invalid rather than silently ignored.
 */
export function viewerFromClaims(claims: Record<string, unknown>): Viewer {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new BadCredentialsError('the token has no subject (sub)');
  const roles = claims.roles === undefined ? [] : claims.roles;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && isRole(r))) {
    throw new BadCredentialsError(`"roles" must be a list of: ${Object.keys(ROLES).join(', ')}`);
  }
  const scopeClaim = claims.scope === undefined ? '' : claims.scope;
  if (typeof scopeClaim !== 'string') throw new BadCredentialsError('"scope" must be a space-separated string');
  const explicit = scopeClaim.split(' ').filter(Boolean);
  const unknown = explicit.filter((s) => !isScope(s));
  if (unknown.length) throw new BadCredentialsError(`unknown scopes: ${unknown.join(', ')}`);
  const customerClaim = claims.customer_id;
  let customerId: number | null = null;
  if (customerClaim !== undefined) {
    customerId = Number(customerClaim);
    if (!Number.isSafeInteger(customerId) || customerId < 1) throw new BadCredentialsError('"customer_id" must be a positive integer');
  }
  if ((roles as Role[]).includes('customer') && customerId === null) {
    throw new BadCredentialsError('a customer token needs a "customer_id"');
  }
  const scopes = new Set<Scope>(explicit as Scope[]);
  for (const role of roles as Role[]) for (const scope of ROLES[role]) scopes.add(scope);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  return { kind: 'user', id: sub, roles: roles as Role[], scopes, customerId, clientName: null, rateTier: 'user', expiresAt };
}
