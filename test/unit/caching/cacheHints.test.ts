import { buildAccessRules } from '../../../src/auth/accessRules';
import { CacheHints } from '../../../src/caching/cacheHints';
import { buildSchema } from '../../../src/server/buildSchema';
import { buildSchema as buildSdl } from 'graphql';

const schema = buildSchema();
const hints = new CacheHints(schema, buildAccessRules(schema));
const policy = (...coordinates: string[]) => hints.policyOf('query' as never, new Set(coordinates));

describe('CacheHints', () => {
  it('gives a catalogue page the maxAge of its types, wrappers (edges, page info, money) inheriting it', () => {
    expect(
      policy(
        'Query.products',
        'ProductConnection.edges',
        'ProductEdge.node',
        'Product.sku',
        'Product.price',
        'Money.amount',
        'ProductConnection.pageInfo',
        'PageInfo.hasNextPage',
      ),
    ).toEqual({ maxAge: 300, scope: 'PUBLIC', requiredScopes: [] });
  });

  it("takes a field's own hint over its type's: stock is fresh for 30 s", () => {
    expect(policy('Query.product', 'Product.totalAvailable')).toMatchObject({ maxAge: 30, scope: 'PUBLIC' });
  });

  it('makes anything touching orders or customers private and not cacheable', () => {
    expect(policy('Query.orders', 'OrderConnection.edges', 'OrderEdge.node', 'Order.id')).toMatchObject({ maxAge: 0, scope: 'PRIVATE' });
    expect(policy('Query.product', 'Product.sku', 'Query.customer', 'Customer.name')).toMatchObject({ maxAge: 0, scope: 'PRIVATE' });
  });

  it('counts a root field or an object field without a hint as 0: node(id:) may return an order', () => {
    expect(policy('Query.node', 'Node.id')).toMatchObject({ maxAge: 0 });
  });

  it('names the scopes the selection requires: the visibility class of the response cache', () => {
    expect(policy('Query.warehouses', 'Warehouse.code', 'Query.product', 'Product.inventory', 'InventoryLevel.onHand')).toEqual({
      maxAge: 30,
      scope: 'PUBLIC',
      requiredScopes: ['inventory:read'],
    });
  });

  it('never caches mutations, nor coordinates the schema does not have', () => {
    expect(hints.policyOf('mutation' as never, new Set(['Mutation.placeOrder']))).toMatchObject({ maxAge: 0 });
    expect(policy('Query.products', 'Product.nope')).toMatchObject({ maxAge: 0 });
  });

  it('refuses a negative maxAge when the schema is built', () => {
    const sdl = buildSdl(`
      directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT
      directive @public on FIELD_DEFINITION | OBJECT
      type Query @public { now: Int @cacheControl(maxAge: -1) }
    `);
    expect(() => new CacheHints(sdl, buildAccessRules(sdl))).toThrow('@cacheControl on Query.now: maxAge is a number of seconds, 0 or more.');
  });
});
