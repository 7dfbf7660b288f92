import { viewerFromClaims } from '../../../src/auth/viewer';

describe('viewerFromClaims', () => {
  it('grants the scopes of each role plus the explicit ones', () => {
    const viewer = viewerFromClaims({ sub: 'u1', roles: ['inventory_manager'], scope: 'orders:read' });
    expect([...viewer.scopes].sort()).toEqual(['inventory:read', 'inventory:write', 'orders:read']);
    expect([...viewerFromClaims({ sub: 'u2', roles: ['support'] }).scopes].sort()).toEqual([
      'customers:pii',
      'customers:read',
      'inventory:read',
      'orders:read',
    ]);
    expect(viewer).toMatchObject({ kind: 'user', id: 'u1', customerId: null, rateTier: 'user' });
  });

  it('binds a customer token to its customer', () => {
    expect(viewerFromClaims({ sub: 'c7', roles: ['customer'], customer_id: 7 }).customerId).toBe(7);
    expect(() => viewerFromClaims({ sub: 'c7', roles: ['customer'] })).toThrow('a customer token needs a "customer_id"');
  });

  it.each([
    ['no subject', { roles: [] }, 'no subject'],
    ['an unknown role', { sub: 'u', roles: ['root'] }, '"roles" must be a list of'],
    ['an unknown scope', { sub: 'u', scope: 'orders:read everything' }, 'unknown scopes: everything'],
    ['a scope list instead of a string', { sub: 'u', scope: ['orders:read'] }, 'space-separated'],
    ['a malformed customer id', { sub: 'u', customer_id: 'abc' }, 'positive integer'],
  ])('rejects %s as UNAUTHENTICATED', (_name, claims, message) => {
    expect(() => viewerFromClaims(claims)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(message),
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      }),
    );
  });

  it.each([
    ['the number 2', 2, 2],
    ['the string "2"', '2', 2],
    ['the largest database id', 2_147_483_647, 2_147_483_647],
    ['the largest database id as a string', '2147483647', 2_147_483_647],
  ])('accepts a customer_id of %s', (_name, claim, customerId) => {
    expect(viewerFromClaims({ sub: 'c', roles: ['customer'], customer_id: claim }).customerId).toBe(customerId);
  });

  it.each([
    ['a hexadecimal string', '0x2'],
    ['a boolean', true],
    ['a list', [2]],
    ['a decimal string', '2.0'],
    ['an exponent string', '2e0'],
    ['a string with a leading space', ' 2'],
    ['a string with a trailing space', '2 '],
    ['a string with a sign', '+2'],
    ['a string with a leading zero', '02'],
    ['an empty string', ''],
    ['the string "0"', '0'],
    ['zero', 0],
    ['a negative number', -2],
    ['a fraction', 2.5],
    ['null', null],
    ['an object', { id: 2 }],
    ['a number above the largest database id', 2_147_483_648],
    ['a string above the largest safe integer', '9007199254740993'],
    ['an unsafe integer', 2 ** 53],
    ['infinity', Infinity],
  ])('rejects a customer_id of %s as UNAUTHENTICATED', (_name, claim) => {
    expect(() => viewerFromClaims({ sub: 'c', roles: ['customer'], customer_id: claim })).toThrow(
      expect.objectContaining({
        message: 'Invalid credentials: "customer_id" must be a positive integer.',
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      }),
    );
  });
});
