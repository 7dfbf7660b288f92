import {
  isOrderVisible,
  rowScopeOf,
  visibleCustomersSql,
  visibleOrderItemsWhere,
  visibleOrdersSql,
  visibleOrdersWhere,
  type RowScope,
} from '../../../src/auth/rowScope';
import type { Scope } from '../../../src/auth/scopes';
import { viewerFromClaims, type Viewer } from '../../../src/auth/viewer';

/** A viewer as an API key with these scopes authenticates (no roles; every scope granted as such). */
const apiKey = (...scopes: Scope[]): Viewer => {
  const granted = new Set(scopes);
  return {
    ...viewerFromClaims({ sub: 'apikey:1' }),
    kind: 'service',
    id: 'apikey:1',
    roles: [],
    scopes: granted,
    explicitScopes: granted,
    clientName: 'bff',
    rateTier: 'standard',
  };
};
const token = (claims: Record<string, unknown>) => viewerFromClaims({ sub: 'u', ...claims });

const EVERY = { kind: 'every' };
const NONE = { kind: 'none' };
const SHIPPING = { kind: 'statuses', statuses: ['PAID', 'FULFILLED'] };

describe('rowScopeOf', () => {
  it.each<[string, Viewer | null, unknown, unknown]>([
    ['anonymous', null, NONE, NONE],
    ['a shopper', token({ roles: ['customer'], customer_id: 7 }), { kind: 'customer', customerId: 7 }, { kind: 'customer', customerId: 7 }],
    [
      'a token with a customer_id and a staff role',
      token({ roles: ['support'], customer_id: 7 }),
      { kind: 'customer', customerId: 7 },
      { kind: 'customer', customerId: 7 },
    ],
    ['support', token({ roles: ['support'] }), EVERY, EVERY],
    ['admin', token({ roles: ['admin'] }), EVERY, EVERY],
    ['inventory_manager', token({ roles: ['inventory_manager'] }), SHIPPING, EVERY],
    ['inventory_manager with an explicit orders:read scope', token({ roles: ['inventory_manager'], scope: 'orders:read' }), EVERY, EVERY],
    ['inventory_manager who is also support', token({ roles: ['inventory_manager', 'support'] }), EVERY, EVERY],
    ['a token with the orders:read scope only', token({ scope: 'orders:read' }), EVERY, EVERY],
    ['a token with inventory:write and no orders:read', token({ scope: 'inventory:write' }), SHIPPING, EVERY],
    ['a token with orders:write and no orders:read', token({ scope: 'orders:write' }), NONE, EVERY],
    ['a token with no scope', token({}), NONE, EVERY],
    ['an API key with orders:read', apiKey('orders:read'), EVERY, EVERY],
    ['an API key with inventory:write only', apiKey('inventory:read', 'inventory:write'), SHIPPING, EVERY],
    ['an API key with inventory:read only', apiKey('inventory:read'), NONE, EVERY],
  ])('%s', (_name, viewer, orders, customers) => {
    expect(rowScopeOf(viewer)).toEqual({ orders, customers });
  });
});

const scopes: Record<string, RowScope> = {
  every: { orders: { kind: 'every' }, customers: { kind: 'every' } },
  shopper: { orders: { kind: 'customer', customerId: 7 }, customers: { kind: 'customer', customerId: 7 } },
  warehouse: { orders: { kind: 'statuses', statuses: ['PAID', 'FULFILLED'] }, customers: { kind: 'every' } },
  none: { orders: { kind: 'none' }, customers: { kind: 'none' } },
};

describe('the row scope as conditions', () => {
  it.each([
    ['every', {}, {}, '', []],
    ['shopper', { customerId: 7 }, { order: { customerId: 7 } }, 'AND o."customerId" = $1', [7]],
    [
      'warehouse',
      { status: { in: ['PAID', 'FULFILLED'] } },
      { order: { status: { in: ['PAID', 'FULFILLED'] } } },
      'AND o."status" = ANY($1::"OrderStatus"[])',
      [['PAID', 'FULFILLED']],
    ],
    ['none', { id: { in: [] } }, { order: { id: { in: [] } } }, 'AND false', []],
  ])('gives the orders and order lines of %s as a Prisma where and as SQL over an alias', (name, orders, items, text, values) => {
    const scope = scopes[name]!;
    expect(visibleOrdersWhere(scope)).toEqual(orders);
    expect(visibleOrderItemsWhere(scope)).toEqual(items);
    const sql = visibleOrdersSql(scope, 'o');
    expect([sql.text, sql.values]).toEqual([text, values]);
  });

  it.each([
    ['every', '', []],
    ['shopper', 'AND c."id" = $1', [7]],
    ['warehouse', '', []],
    ['none', 'AND false', []],
  ])('gives the customers of %s as SQL over an alias', (name, text, values) => {
    const sql = visibleCustomersSql(scopes[name]!, 'c');
    expect([sql.text, sql.values]).toEqual([text, values]);
  });

  it('refuses an alias that is not a plain identifier, since it is spliced into the SQL', () => {
    for (const alias of ['"Order"', 'o; DROP TABLE x', 'O', '']) {
      expect(() => visibleOrdersSql(scopes.shopper!, alias)).toThrow('is not a table alias');
      expect(() => visibleCustomersSql(scopes.shopper!, alias)).toThrow('is not a table alias');
    }
  });

  it.each([
    ['every', [true, true, true, true]],
    ['shopper', [true, false, true, false]],
    ['warehouse', [false, false, true, true]],
    ['none', [false, false, false, false]],
  ])('tells whether an order lies in the scope of %s, as the conditions would', (name, expected) => {
    const orders = [
      { customerId: 7, status: 'PENDING' },
      { customerId: 8, status: 'PENDING' },
      { customerId: 7, status: 'PAID' },
      { customerId: 8, status: 'FULFILLED' },
    ] as const;
    expect(orders.map((order) => isOrderVisible(scopes[name]!, order))).toEqual(expected);
  });
});
