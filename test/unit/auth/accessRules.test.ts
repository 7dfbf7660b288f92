import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildAccessRules, isAllowed } from '../../../src/auth/accessRules';
import { loadTypeDefs } from '../../../src/server/schemaFiles';

const DIRECTIVES = loadTypeDefs().find((sdl) => sdl.includes('directive @auth'))!;
const schemaOf = (sdl: string) => makeExecutableSchema({ typeDefs: [DIRECTIVES, sdl] });

describe('access rules', () => {
  it('lets a field rule override its type rule', () => {
    const rules = buildAccessRules(
      schemaOf(`
      type Query @public { shop: Shop }
      type Shop @auth(requires: [ORDERS_READ]) { name: String @public secret: String }`),
    );
    expect(rules.get('Shop', 'name')).toEqual({ public: true });
    expect(rules.get('Shop', 'secret')).toEqual({ public: false, requires: ['orders:read'] });
    expect(rules.get('Shop', '__typename')).toEqual({ public: true });
  });

  it('denies by default: a field without a rule fails, naming every such field', () => {
    expect(() =>
      buildAccessRules(
        schemaOf(`
      type Query { shop: Shop }
      type Shop { name: String secret: String @auth(requires: [ADMIN]) }`),
      ),
    ).toThrow('add @auth(requires: [...]) or @public to these fields or their types:\n  Query.shop\n  Shop.name');
  });

  it('refuses @auth and @public together', () => {
    expect(() => buildAccessRules(schemaOf(`type Query @public { a: String @public @auth(requires: [ADMIN]) }`))).toThrow('both @auth and @public');
  });

  it('requires every listed scope', () => {
    const rule = { public: false as const, requires: ['orders:read', 'customers:pii'] as const };
    expect(isAllowed(rule, new Set(['orders:read']))).toBe(false);
    expect(isAllowed(rule, new Set(['orders:read', 'customers:pii']))).toBe(true);
    expect(isAllowed(rule, undefined)).toBe(false);
    expect(isAllowed({ public: true }, undefined)).toBe(true);
  });
});
