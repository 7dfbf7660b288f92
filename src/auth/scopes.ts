/**
 * The scopes a viewer can hold, and the roles that grant them. The SDL names the same scopes
 * as the enum `Scope` (ORDERS_READ is orders:read); README "Authentication" documents the roles.
 */
export const SCOPES = ['orders:read', 'orders:write', 'inventory:read', 'inventory:write', 'customers:read', 'customers:pii', 'schema:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const scopeSet: ReadonlySet<string> = new Set(SCOPES);
export const isScope = (value: string): value is Scope => scopeSet.has(value);

export const ROLES = {
  /** A shopper: their own orders and customer record only (row-level rules apply). */
  customer: ['orders:read', 'orders:write', 'customers:read', 'customers:pii'],
  /** Customer support: reads every order and customer, including contact details. */
  support: ['orders:read', 'customers:read', 'customers:pii', 'inventory:read'],
  /** Warehouse staff: stock levels, read and adjust, and the orders they ship or shipped (rowScope.ts). */
  inventory_manager: ['inventory:read', 'inventory:write', 'orders:read'],
  /** Everything. */
  admin: [...SCOPES],
} as const satisfies Record<string, readonly Scope[]>;
export type Role = keyof typeof ROLES;

export const isRole = (value: string): value is Role => Object.hasOwn(ROLES, value);

/** The SDL enum value of a scope: orders:read is ORDERS_READ. */
export function scopeToEnumValue(scope: Scope): string {
  return scope.replace(':', '_').toUpperCase();
}
