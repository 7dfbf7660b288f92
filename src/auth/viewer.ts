import { BadCredentialsError } from '../errors';
import { ROLES, isRole, isScope, type Role, type Scope } from './scopes';

/** Who is asking. Anonymous requests have no viewer (null). */
export interface Viewer {
  kind: 'user' | 'service';
  /** The token's subject, or the API key's id. */
  id: string;
  roles: readonly Role[];
  scopes: ReadonlySet<Scope>;
  /**
   * The scopes granted as such (a token's `scope` claim, an API key's scopes), without those its
   * roles add: row-level rules tell an explicit orders:read from a warehouse role's.
   */
  explicitScopes: ReadonlySet<Scope>;
  /** Set for shoppers: row-level rules limit them to this customer's rows. */
  customerId: number | null;
  /** The calling service's name (API keys); users have none. */
  clientName: string | null;
  /** The rate-limit tier: API keys carry one, users get "user". */
  rateTier: string;
  /** When the credential stops being valid (a token's `exp`, in ms); null for API keys, which are revoked instead. */
  expiresAt: number | null;
  /** API keys only: the key's id and its own quota overrides (null: its tier's). */
  apiKey?: { id: number; quota: { daily: number | null; monthly: number | null } };
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
  const customerId = claims.customer_id === undefined ? null : customerIdOf(claims.customer_id);
  if ((roles as Role[]).includes('customer') && customerId === null) {
    throw new BadCredentialsError('a customer token needs a "customer_id"');
  }
  const explicitScopes = new Set<Scope>(explicit as Scope[]);
  const scopes = new Set<Scope>(explicitScopes);
  for (const role of roles as Role[]) for (const scope of ROLES[role]) scopes.add(scope);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  return { kind: 'user', id: sub, roles: roles as Role[], scopes, explicitScopes, customerId, clientName: null, rateTier: 'user', expiresAt };
}

/** The largest database id (ids are 32-bit integers): a larger claim could only fail later. */
const MAX_CUSTOMER_ID = 2_147_483_647;

/**
 * A customer_id claim as an id: a positive integer, or the same written in decimal digits with
 * no sign, space or leading zero. Anything looser ("0x2", "2.0", " 2", true, [2]) is a broken
 * token, refused rather than guessed at, since it decides whose rows the token reads.
 */
function customerIdOf(claim: unknown): number {
  const id = typeof claim === 'string' && /^[1-9][0-9]*$/.test(claim) ? Number(claim) : claim;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_CUSTOMER_ID) {
    throw new BadCredentialsError('"customer_id" must be a positive integer');
  }
  return id;
}
