import { Prisma, type OrderStatus } from '../generated/prisma/client';
import { ROLES, type Scope } from './scopes';
import type { Viewer } from './viewer';

/**
 * Which rows a viewer may see: derived here, once per request, and applied in the SQL of every
 * query, loader and lock that reads orders, order lines or customers (never by filtering after
 * loading). A row outside the scope is answered exactly like a row that does not exist.
 * Field rules (@auth) say which fields a viewer may read at all; this says of which rows.
 */
export interface RowScope {
  /** The orders, and with them their lines. */
  orders: OrderRows;
  customers: CustomerRows;
}

export type OrderRows =
  { kind: 'every' } | { kind: 'customer'; customerId: number } | { kind: 'statuses'; statuses: readonly OrderStatus[] } | { kind: 'none' };

export type CustomerRows = { kind: 'every' } | { kind: 'customer'; customerId: number } | { kind: 'none' };

/** The orders a warehouse ships (PAID) or has shipped (FULFILLED). */
export const SHIPPING_STATUSES: readonly OrderStatus[] = ['PAID', 'FULFILLED'];

const EVERY = { kind: 'every' } as const;
const NONE = { kind: 'none' } as const;

/**
 * - anonymous: nothing;
 * - a shopper (a token with a customer_id): their own orders and customer record;
 * - orders:read from anything but the inventory_manager role (the support or admin role, an
 *   API key, a token's explicit scope): every order;
 * - warehouse staff, whose access to orders is their stock work (orders:read from the
 *   inventory_manager role only, or inventory:write without orders:read): the orders they ship
 *   or shipped, so that fulfillOrder finds a PAID order and nothing earlier;
 * - anyone else: no order.
 * Every viewer but a shopper sees every customer record: customers:read decides whether they
 * may read any (an order's customer must resolve for staff who may not read it).
 */
export function rowScopeOf(viewer: Viewer | null): RowScope {
  if (!viewer) return { orders: NONE, customers: NONE };
  if (viewer.customerId !== null) {
    const own = { kind: 'customer', customerId: viewer.customerId } as const;
    return { orders: own, customers: own };
  }
  return { orders: orderRowsOf(viewer), customers: EVERY };
}

function orderRowsOf(viewer: Viewer): OrderRows {
  if (readsEveryOrder(viewer)) return EVERY;
  if (viewer.scopes.has('orders:read') || viewer.scopes.has('inventory:write')) return { kind: 'statuses', statuses: SHIPPING_STATUSES };
  return NONE;
}

function readsEveryOrder(viewer: Viewer): boolean {
  return (
    viewer.explicitScopes.has('orders:read') ||
    viewer.roles.some((role) => role !== 'inventory_manager' && (ROLES[role] as readonly Scope[]).includes('orders:read'))
  );
}

/** The scope's orders as a Prisma condition ({} for every order). */
export function visibleOrdersWhere(scope: RowScope): Prisma.OrderWhereInput {
  const rows = scope.orders;
  switch (rows.kind) {
    case 'every':
      return {};
    case 'customer':
      return { customerId: rows.customerId };
    case 'statuses':
      return { status: { in: [...rows.statuses] } };
    case 'none':
      return { id: { in: [] } };
  }
}

/** The scope's order lines as a Prisma condition: the lines of its orders. */
export function visibleOrderItemsWhere(scope: RowScope): Prisma.OrderItemWhereInput {
  return scope.orders.kind === 'every' ? {} : { order: visibleOrdersWhere(scope) };
}

/** The scope's orders as SQL over an "Order" row aliased `alias`, prefixed with AND (empty for every order). */
export function visibleOrdersSql(scope: RowScope, alias: string): Prisma.Sql {
  const column = columnsOf(alias);
  const rows = scope.orders;
  switch (rows.kind) {
    case 'every':
      return Prisma.empty;
    case 'customer':
      return Prisma.sql`AND ${column('customerId')} = ${rows.customerId}`;
    case 'statuses':
      return Prisma.sql`AND ${column('status')} = ANY(${[...rows.statuses]}::"OrderStatus"[])`;
    case 'none':
      return Prisma.sql`AND false`;
  }
}

/** The scope's customers as SQL over a "Customer" row aliased `alias`, prefixed with AND (empty for every customer). */
export function visibleCustomersSql(scope: RowScope, alias: string): Prisma.Sql {
  const column = columnsOf(alias);
  const rows = scope.customers;
  switch (rows.kind) {
    case 'every':
      return Prisma.empty;
    case 'customer':
      return Prisma.sql`AND ${column('id')} = ${rows.customerId}`;
    case 'none':
      return Prisma.sql`AND false`;
  }
}

/**
 * Whether an order, as a mutation left it, lies in the scope: a row read outside the scoped SQL
 * (the one a mutation wrote) may prime the loaders' caches only then.
 */
export function isOrderVisible(scope: RowScope, order: { customerId: number; status: OrderStatus }): boolean {
  const rows = scope.orders;
  switch (rows.kind) {
    case 'every':
      return true;
    case 'customer':
      return order.customerId === rows.customerId;
    case 'statuses':
      return rows.statuses.includes(order.status);
    case 'none':
      return false;
  }
}

// The alias is spliced into the SQL text, so it must be an identifier, never a value.
const ALIAS = /^[a-z_][a-z0-9_]*$/;

function columnsOf(alias: string): (name: string) => Prisma.Sql {
  if (!ALIAS.test(alias)) throw new Error(`"${alias}" is not a table alias`);
  return (name) => Prisma.raw(`${alias}."${name}"`);
}
