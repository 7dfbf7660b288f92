import type { Viewer } from './viewer';

/**
 * Which rows a viewer may see, applied in the SQL of every query and loader that reads
 * customer-owned rows (never by filtering after loading). A shopper sees only their own
 * orders and customer record; staff and services see every row their scopes allow.
 */
export interface RowScope {
  /** Set for shoppers: only this customer's rows. */
  customerId: number | null;
}

export function rowScopeOf(viewer: Viewer | null): RowScope {
  return { customerId: viewer?.customerId ?? null };
}
