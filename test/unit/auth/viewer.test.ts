import { viewerFromClaims } from '../../../src/auth/viewer';

describe('viewerFromClaims', () => {
  it('grants the scopes of each role plus the explicit ones', () => {
    const viewer = viewerFromClaims({ sub: 'u1', roles: ['inventory_manager'], scope: 'orders:read' });
    expect([...viewer.scopes].sort()).toEqual(['inventory:read', 'inventory:write', 'orders:read']);
    expect([...viewerFromClaims({ sub: 'u2', roles: ['support'] }).scopes].sort()).toEqual(['customers:pii', 'customers:read', 'inventory:read', 'orders:read']);
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
    expect(() => viewerFromClaims(claims)).toThrow(expect.objectContaining({
      message: expect.stringContaining(message),
      extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    }));
  });
});
