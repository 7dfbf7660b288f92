import { accessRuleChanges, classifyChanges } from '../../../src/schemaCheck/classifyChanges';
import { schemaFromSdl } from '../../../src/schemaCheck/schemaSources';

const DIRECTIVES = `
  enum Scope { ORDERS_READ ADMIN }
  directive @auth(requires: [Scope!]!) on OBJECT | INTERFACE | FIELD_DEFINITION
  directive @public on OBJECT | INTERFACE | FIELD_DEFINITION`;
const BASE = `${DIRECTIVES}
  interface Node @public { id: ID! }
  type Query @public { order(id: ID!, legacy: Int): Order, search(text: String = "a"): [Result] }
  type Order implements Node @auth(requires: [ORDERS_READ]) { id: ID! status: Status note: String total: Int! }
  type Product @public { id: ID! }
  union Result = Order | Product
  enum Status { OPEN PAID }
  input Filter { status: Status }
  input ProductFilter { active: Boolean = true, tags: [String!] = ["a"], range: Range = { min: 1, max: 9 }, minStock: Int! = 0, since: Int, kind: String! }
  input Range { min: Int, max: Int }
  type Mutation @public { touch(filter: Filter): Order, products(filter: ProductFilter): [Order] }`;

const classify = (base: string, next: string) => classifyChanges(schemaFromSdl(base), schemaFromSdl(next));
const changesFor = (next: string) => classify(BASE, `${DIRECTIVES}\n${next}`).map((c) => [c.severity, c.kind, c.coordinate]);
const fullChangesFor = (next: string) => classify(BASE, `${DIRECTIVES}\n${next}`);
const edit = (from: string, to: string) => BASE.replace(DIRECTIVES, '').replace(from, to);

describe('classifyChanges: one fixture pair per change class', () => {
  it.each([
    ['a removed type', edit('type Product @public { id: ID! }', '').replace('Order | Product', 'Order'), ['breaking', 'TYPE_REMOVED', 'Product']],
    ['a removed field', edit('note: String ', ''), ['breaking', 'FIELD_REMOVED', 'Order.note']],
    ['a removed enum value', edit('OPEN PAID', 'OPEN'), ['breaking', 'VALUE_REMOVED_FROM_ENUM', 'Status.PAID']],
    ['a removed argument', edit(', legacy: Int', ''), ['breaking', 'ARG_REMOVED', 'Query.order(legacy:)']],
    ['a changed field type', edit('note: String', 'note: Int'), ['breaking', 'FIELD_CHANGED_KIND', 'Order.note']],
    ['a nullable output made nullable from non-null', edit('total: Int!', 'total: Int'), ['breaking', 'FIELD_CHANGED_KIND', 'Order.total']],
    [
      'an input made stricter',
      edit('input Filter { status: Status }', 'input Filter { status: Status! }'),
      ['breaking', 'FIELD_CHANGED_KIND', 'Filter.status'],
    ],
    [
      'a new required argument',
      edit('search(text: String = "a")', 'search(text: String = "a", limit: Int!)'),
      ['breaking', 'REQUIRED_ARG_ADDED', 'Query.search(limit:)'],
    ],
    [
      'a new required input field',
      edit('input Filter { status: Status }', 'input Filter { status: Status, since: Int! }'),
      ['breaking', 'REQUIRED_INPUT_FIELD_ADDED', 'Filter.since'],
    ],
    ['an interface membership removed', edit('type Order implements Node', 'type Order'), ['breaking', 'IMPLEMENTED_INTERFACE_REMOVED', 'Order']],
    ['a union member removed', edit('Order | Product', 'Order'), ['breaking', 'TYPE_REMOVED_FROM_UNION', 'Product']],
    ['a changed default value', edit('String = "a"', 'String = "b"'), ['dangerous', 'ARG_DEFAULT_VALUE_CHANGE', 'Query.search(text:)']],
    ['a new enum value', edit('OPEN PAID', 'OPEN PAID SHIPPED'), ['dangerous', 'VALUE_ADDED_TO_ENUM', 'Status.SHIPPED']],
    [
      'a new optional argument',
      edit('search(text: String = "a")', 'search(text: String = "a", limit: Int)'),
      ['dangerous', 'OPTIONAL_ARG_ADDED', 'Query.search(limit:)'],
    ],
    [
      'a new optional input field',
      edit('input Filter { status: Status }', 'input Filter { status: Status, since: Int }'),
      ['dangerous', 'OPTIONAL_INPUT_FIELD_ADDED', 'Filter.since'],
    ],
    [
      'an interface membership added',
      edit('type Product @public { id: ID! }', 'type Product implements Node @public { id: ID! }'),
      ['dangerous', 'IMPLEMENTED_INTERFACE_ADDED', 'Product'],
    ],
    [
      'a union member added',
      edit('Order | Product', 'Order | Product | Extra').concat('\ntype Extra @public { id: ID }'),
      ['dangerous', 'TYPE_ADDED_TO_UNION', 'Extra'],
    ],
    ['a stricter output', edit('note: String', 'note: String!'), ['safe', 'FIELD_TYPE_STRICTER', 'Order.note']],
    ['a new field', edit('note: String', 'note: String weight: Int'), ['safe', 'FIELD_ADDED', 'Order.weight']],
    ['a new type', edit('enum Status', 'type Shipment @public { id: ID }\nenum Status'), ['safe', 'TYPE_ADDED', 'Shipment']],
    ['a deprecation', edit('note: String', 'note: String @deprecated(reason: "x")'), ['safe', 'FIELD_DEPRECATED', 'Order.note']],
  ])('%s', (_name, next, expected) => {
    expect(changesFor(next)).toContainEqual(expected);
  });

  it('reports nothing for an identical schema', () => {
    expect(changesFor(BASE.replace(DIRECTIVES, ''))).toEqual([]);
  });

  it('tells a tightened access rule from a loosened one', () => {
    const tightened = accessRuleChanges(schemaFromSdl(BASE), schemaFromSdl(BASE.replace('note: String', 'note: String @auth(requires: [ADMIN])')));
    expect(tightened.get('Order.note')).toMatchObject({ tightened: true });
    const loosened = accessRuleChanges(schemaFromSdl(BASE), schemaFromSdl(BASE.replace('note: String', 'note: String @public')));
    expect(loosened.get('Order.note')).toMatchObject({ tightened: false });
  });
});

describe('classifyChanges: breaking changes say what to do instead', () => {
  it.each([
    [
      'a changed field type',
      edit('note: String', 'note: Int'),
      {
        severity: 'breaking',
        kind: 'FIELD_CHANGED_KIND',
        coordinate: 'Order.note',
        message: 'Order.note changed type from String to Int. Add a new field with the new type and deprecate this one.',
      },
    ],
    [
      'a new required argument',
      edit('search(text: String = "a")', 'search(text: String = "a", limit: Int!)'),
      {
        severity: 'breaking',
        kind: 'REQUIRED_ARG_ADDED',
        coordinate: 'Query.search(limit:)',
        message: 'A required arg limit on Query.search was added. Make it optional or give it a default value.',
      },
    ],
    [
      'a new required input field',
      edit('input Filter { status: Status }', 'input Filter { status: Status, since: Int! }'),
      {
        severity: 'breaking',
        kind: 'REQUIRED_INPUT_FIELD_ADDED',
        coordinate: 'Filter.since',
        message: 'A required field since on input type Filter was added. Make it optional or give it a default value.',
      },
    ],
    [
      'a removed type',
      edit('type Product @public { id: ID! }', '').replace('Order | Product', 'Order'),
      {
        severity: 'breaking',
        kind: 'TYPE_REMOVED',
        coordinate: 'Product',
        message: 'Product was removed. Deprecate the fields that return it first, and remove it once no field uses it.',
      },
    ],
    [
      'an interface membership removed',
      edit('type Order implements Node', 'type Order'),
      {
        severity: 'breaking',
        kind: 'IMPLEMENTED_INTERFACE_REMOVED',
        coordinate: 'Order',
        message: "Order no longer implements interface Node. Keep implementing it: clients' fragments on the interface stop matching this type.",
      },
    ],
  ])('%s', (_name, next, expected) => {
    expect(fullChangesFor(next)).toContainEqual(expected);
  });

  it('leaves the advice on a removal to the deprecation policy, whose verdict names its registry entry and sunset', () => {
    expect(fullChangesFor(edit('note: String ', ''))).toContainEqual({
      severity: 'breaking',
      kind: 'FIELD_REMOVED',
      coordinate: 'Order.note',
      message: 'Order.note was removed.',
    });
  });
});

describe('classifyChanges: directive removals break clients only where operations can write them', () => {
  const CUSTOM = `
    directive @tag(name: String!) on OBJECT | FIELD_DEFINITION
    directive @trace on QUERY | FIELD
    directive @cached on QUERY | OBJECT`;
  const directiveChanges = (from: string, to: string) => classify(`${BASE}${CUSTOM}`, `${BASE}${CUSTOM.replace(from, to)}`);

  it.each([
    [
      'a removed type-system directive',
      'directive @tag(name: String!) on OBJECT | FIELD_DEFINITION',
      '',
      {
        severity: 'dangerous',
        kind: 'DIRECTIVE_REMOVED',
        coordinate: '@tag',
        message:
          "Directive @tag was removed. It applied only to the schema's own definitions (OBJECT, FIELD_DEFINITION), so no client operation used it. Tools that read the SDL (codegen, linters, a gateway composing it) may still expect it: tell their owners.",
      },
    ],
    [
      'a removed type-system location',
      'on OBJECT | FIELD_DEFINITION',
      'on OBJECT',
      {
        severity: 'dangerous',
        kind: 'DIRECTIVE_LOCATION_REMOVED',
        coordinate: '@tag',
        message:
          "Directive @tag can no longer be used on FIELD_DEFINITION, a location of the schema's own definitions that no client operation writes. Tools that read the SDL (codegen, linters, a gateway composing it) may still expect it: tell their owners.",
      },
    ],
    [
      'a removed type-system location of a directive operations can also use',
      'on QUERY | OBJECT',
      'on QUERY',
      {
        severity: 'dangerous',
        kind: 'DIRECTIVE_LOCATION_REMOVED',
        coordinate: '@cached',
        message:
          "Directive @cached can no longer be used on OBJECT, a location of the schema's own definitions that no client operation writes. Tools that read the SDL (codegen, linters, a gateway composing it) may still expect it: tell their owners.",
      },
    ],
    [
      'a removed executable directive',
      'directive @trace on QUERY | FIELD',
      '',
      {
        severity: 'breaking',
        kind: 'DIRECTIVE_REMOVED',
        coordinate: '@trace',
        message: 'trace was removed. Keep it: client operations may use it, and fail validation without it.',
      },
    ],
    [
      'a removed directive with both kinds of location',
      'directive @cached on QUERY | OBJECT',
      '',
      {
        severity: 'breaking',
        kind: 'DIRECTIVE_REMOVED',
        coordinate: '@cached',
        message: 'cached was removed. Keep it: client operations may use it, and fail validation without it.',
      },
    ],
    [
      'a removed executable location',
      'on QUERY | FIELD',
      'on QUERY',
      {
        severity: 'breaking',
        kind: 'DIRECTIVE_LOCATION_REMOVED',
        coordinate: '@trace',
        message: 'FIELD was removed from trace. Keep the location: client operations that use the directive there fail validation.',
      },
    ],
  ])('%s', (_name, from, to, expected) => {
    const changes = directiveChanges(from, to);
    expect(changes).toContainEqual(expected);
    expect(changes.filter((c) => c.kind === expected.kind)).toHaveLength(1);
  });
});

describe('classifyChanges: input-field default values', () => {
  const defaultChanges = (from: string, to: string) => fullChangesFor(edit(from, to)).filter((c) => c.kind.startsWith('INPUT_FIELD_DEFAULT_VALUE'));

  it.each([
    [
      'a changed default',
      'active: Boolean = true',
      'active: Boolean = false',
      {
        severity: 'dangerous',
        kind: 'INPUT_FIELD_DEFAULT_VALUE_CHANGED',
        coordinate: 'ProductFilter.active',
        message:
          'ProductFilter.active default value changed from true to false: a client that omits the field silently gets different results. Keep the old default, or tell the clients that omit it to send true.',
      },
    ],
    [
      'a removed default',
      'active: Boolean = true',
      'active: Boolean',
      {
        severity: 'dangerous',
        kind: 'INPUT_FIELD_DEFAULT_VALUE_REMOVED',
        coordinate: 'ProductFilter.active',
        message:
          'ProductFilter.active no longer defaults to true: a client that omits the field silently gets the results for no value instead of true. Keep the default, or tell the clients that omit it to send true.',
      },
    ],
    [
      'an added default',
      'since: Int',
      'since: Int = 7',
      {
        severity: 'dangerous',
        kind: 'INPUT_FIELD_DEFAULT_VALUE_ADDED',
        coordinate: 'ProductFilter.since',
        message:
          'ProductFilter.since now defaults to 7: a client that omits the field silently gets the results for 7 instead of no value. Tell the clients that omit it, or add a new field with this default and deprecate this one.',
      },
    ],
    [
      'a changed default in an input object',
      'range: Range = { min: 1, max: 9 }',
      'range: Range = { min: 1, max: 10 }',
      {
        severity: 'dangerous',
        kind: 'INPUT_FIELD_DEFAULT_VALUE_CHANGED',
        coordinate: 'ProductFilter.range',
        message:
          'ProductFilter.range default value changed from {max: 9, min: 1} to {max: 10, min: 1}: a client that omits the field silently gets different results. Keep the old default, or tell the clients that omit it to send {max: 9, min: 1}.',
      },
    ],
    [
      'a removed default of a non-null field, which clients that omit it must now send',
      'minStock: Int! = 0',
      'minStock: Int!',
      {
        severity: 'breaking',
        kind: 'INPUT_FIELD_DEFAULT_VALUE_REMOVED',
        coordinate: 'ProductFilter.minStock',
        message: 'ProductFilter.minStock no longer defaults to 0 and is non-null: a client that omits the field now fails validation. Keep the default.',
      },
    ],
    [
      'an added default of a non-null field, which clients had to send',
      'kind: String!',
      'kind: String! = "any"',
      {
        severity: 'safe',
        kind: 'INPUT_FIELD_DEFAULT_VALUE_ADDED',
        coordinate: 'ProductFilter.kind',
        message: 'ProductFilter.kind now defaults to "any": clients had to send it, and now may omit it.',
      },
    ],
  ])('%s', (_name, from, to, expected) => {
    expect(defaultChanges(from, to)).toEqual([expected]);
  });

  it.each([
    ['a list default written as its single item', 'tags: [String!] = ["a"]', 'tags: [String!] = "a"'],
    ['an object default with its fields in another order', 'range: Range = { min: 1, max: 9 }', 'range: Range = { max: 9, min: 1 }'],
  ])('reports nothing for %s', (_name, from, to) => {
    expect(fullChangesFor(edit(from, to))).toEqual([]);
  });

  it('leaves argument defaults to graphql-js, reported once', () => {
    const changes = fullChangesFor(edit('String = "a"', 'String = "b"'));
    expect(changes.map((c) => c.kind)).toEqual(['ARG_DEFAULT_VALUE_CHANGE']);
  });
});

describe('classifyChanges: schema roots', () => {
  const ROOTS = 'type Subscription @public { orderChanged: Order }\ntype Commands @public { touch(filter: Filter): Order }';
  const rootChanges = (base: string, next: string) =>
    classify(`${BASE}\n${ROOTS}\n${base}`, `${BASE}\n${ROOTS}\n${next}`).filter((c) => c.kind.startsWith('SCHEMA_ROOT'));

  it.each([
    [
      'a removed root',
      'schema { query: Query mutation: Mutation subscription: Subscription }',
      'schema { query: Query mutation: Mutation }',
      {
        severity: 'breaking',
        kind: 'SCHEMA_ROOT_REMOVED',
        coordinate: 'schema.subscription',
        message:
          'The subscription root Subscription was removed: every subscription operation fails validation. Keep the root, and remove its fields through the deprecation policy.',
      },
    ],
    [
      'a replaced root',
      'schema { query: Query mutation: Mutation }',
      'schema { query: Query mutation: Commands }',
      {
        severity: 'breaking',
        kind: 'SCHEMA_ROOT_CHANGED',
        coordinate: 'schema.mutation',
        message:
          'The mutation root changed from Mutation to Commands: mutation operations written against Mutation (fragments on it, __typename, its fields) no longer match. Keep Mutation as the root and add the new fields to it.',
      },
    ],
    [
      'an added root',
      'schema { query: Query mutation: Mutation }',
      'schema { query: Query mutation: Mutation subscription: Subscription }',
      { severity: 'safe', kind: 'SCHEMA_ROOT_ADDED', coordinate: 'schema.subscription', message: 'The subscription root Subscription was added.' },
    ],
  ])('%s', (_name, base, next, expected) => {
    expect(rootChanges(base, next)).toEqual([expected]);
  });

  it('reports nothing when an explicit schema definition names the default roots', () => {
    expect(rootChanges('', 'schema { query: Query mutation: Mutation subscription: Subscription }')).toEqual([]);
  });
});

describe('classifyChanges: a new scalar that only replaces a field type', () => {
  const added = (next: string) => fullChangesFor(next).filter((c) => c.kind === 'TYPE_ADDED' || c.kind === 'FIELD_CHANGED_KIND');
  const retyped = {
    severity: 'breaking',
    kind: 'FIELD_CHANGED_KIND',
    coordinate: 'Order.total',
    message: 'Order.total changed type from Int! to Money!. Add a new field with the new type and deprecate this one.',
  };

  it('is named by the type change alone', () => {
    expect(added(edit('total: Int!', 'total: Money!').concat('\nscalar Money'))).toEqual([retyped]);
  });

  it.each([
    ['a new object type', edit('total: Int!', 'total: Money!').concat('\ntype Money @public { amount: Int }')],
    ['a scalar a new field also uses', edit('total: Int!', 'total: Money! tax: Money').concat('\nscalar Money')],
    ['a scalar an argument also uses', edit('total: Int!', 'total: Money!').replace('legacy: Int', 'legacy: Money').concat('\nscalar Money')],
  ])('is still listed as added when it is %s', (_name, next) => {
    expect(added(next)).toContainEqual({ severity: 'safe', kind: 'TYPE_ADDED', coordinate: 'Money', message: 'Money was added.' });
  });
});
