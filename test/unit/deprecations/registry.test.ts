import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { OperationAnalysis } from '../../../src/analysis/operationAnalysis';
import { findDeprecatedUsage } from '../../../src/deprecations/findDeprecatedUsage';
import { checkRegistry, deprecatedCoordinates, findRegistryDisagreements, loadRegistry, parseRegistry } from '../../../src/deprecations/registry';
import { buildSchema } from '../../../src/server/buildSchema';

const schema = makeExecutableSchema({
  typeDefs: `
    type Query { order(id: ID, legacyId: Int @deprecated(reason: "Use id.")): Order, orders(sort: Sort, filter: Filter): [Order] }
    type Order { id: ID, cents: Int @deprecated(reason: "Use total.") }
    enum Sort { NEW OLD @deprecated(reason: "Renamed NEW.") }
    input Filter { status: String, state: String @deprecated(reason: "Use status.") }`,
});
const entry = (coordinate: string, reason: string) =>
  `  - { coordinate: "${coordinate}", reason: "${reason}", replacement: x, deprecatedOn: 2026-01-01, removeAfter: 2026-06-01, owner: team }`;
const REGISTRY = `deprecations:\n${[
  entry('Query.order(legacyId:)', 'Use id.'),
  entry('Order.cents', 'Use total.'),
  entry('Sort.OLD', 'Renamed NEW.'),
  entry('Filter.state', 'Use status.'),
].join('\n')}`;

describe('deprecation registry', () => {
  it('finds every kind of deprecated coordinate in a schema', () => {
    expect([...deprecatedCoordinates(schema).keys()].sort()).toEqual(['Filter.state', 'Order.cents', 'Query.order(legacyId:)', 'Sort.OLD']);
  });

  it('agrees with a schema both ways, or says where not', () => {
    expect(checkRegistry(schema, parseRegistry(REGISTRY))).toEqual([]);
    const missingOne = REGISTRY.split('\n')
      .filter((l) => !l.includes('Sort.OLD'))
      .join('\n');
    expect(checkRegistry(schema, parseRegistry(missingOne))).toEqual(['Sort.OLD is @deprecated in the SDL but has no entry in schema/deprecations.yaml']);
    const extra = `${REGISTRY}\n${entry('Order.id', 'Gone.')}`;
    expect(checkRegistry(schema, parseRegistry(extra))).toEqual(['Order.id has a registry entry but is not @deprecated in the SDL']);
    const otherReason = REGISTRY.replace('Use total.', 'Use money.');
    expect(checkRegistry(schema, parseRegistry(otherReason))[0]).toMatch(/Order.cents: the registry's reason "Use money." differs/);
  });

  it('rejects malformed entries with the path of the problem', () => {
    expect(() =>
      parseRegistry('deprecations:\n  - { coordinate: "Order", reason: r, replacement: x, deprecatedOn: 2026-01-01, removeAfter: 2026-06-01, owner: t }'),
    ).toThrow(/deprecations.0.coordinate/);
    expect(() => parseRegistry(REGISTRY.replace('removeAfter: 2026-06-01', 'removeAfter: 2025-06-01'))).toThrow(/removeAfter > deprecatedOn/);
  });

  it('rejects a date that has the shape YYYY-MM-DD but is no day, naming the entry by its coordinate', () => {
    const bad = REGISTRY.replace(
      'coordinate: "Order.cents", reason: "Use total.", replacement: x, deprecatedOn: 2026-01-01, removeAfter: 2026-06-01',
      'coordinate: "Order.cents", reason: "Use total.", replacement: x, deprecatedOn: 2026-01-01, removeAfter: 2027-13-45',
    );
    expect(() => parseRegistry(bad, 'schema/deprecations.yaml')).toThrow(
      new Error('schema/deprecations.yaml: Order.cents: removeAfter 2027-13-45 is not a date (YYYY-MM-DD)'),
    );
    expect(() => parseRegistry(REGISTRY.replace('deprecatedOn: 2026-01-01', 'deprecatedOn: 2026-02-29'), 'r.yaml')).toThrow(
      'r.yaml: Query.order(legacyId:): deprecatedOn 2026-02-29 is not a date (YYYY-MM-DD)',
    );
    expect(() => parseRegistry(REGISTRY.replace(', owner: team }', ' }'), 'r.yaml')).toThrow('r.yaml: Query.order(legacyId:): owner is missing');
  });

  it('reports broken YAML with the file, line and column', () => {
    expect(() =>
      parseRegistry('deprecations:\n  - coordinate: Order.cents\n    reason: Use total: it carries its currency.\n', 'schema/deprecations.yaml'),
    ).toThrow(/^schema\/deprecations\.yaml:3:13: Nested mappings are not allowed in compact mappings \(not valid YAML\)$/);
  });

  it('tells an entry for a coordinate that is not deprecated from one for a coordinate that does not exist, each with a remedy', () => {
    const extra = `${REGISTRY}\n${entry('Order.id', 'Gone.')}\n${entry('Order.gone', 'Gone.')}\n${entry('Query.order(nope:)', 'Gone.')}`;
    expect(findRegistryDisagreements(schema, parseRegistry(extra))).toEqual([
      {
        coordinate: 'Order.id',
        problem: 'Order.id has a registry entry but is not @deprecated in the SDL',
        remedy: expect.stringMatching(/^deprecate it .* or delete the entry$/),
      },
      { coordinate: 'Order.gone', problem: 'Order.gone has a registry entry but is not in the SDL', remedy: expect.stringMatching(/^delete the entry/) },
      {
        coordinate: 'Query.order(nope:)',
        problem: 'Query.order(nope:) has a registry entry but is not in the SDL',
        remedy: expect.stringMatching(/^delete the entry/),
      },
    ]);
  });

  it("matches the gateway's own SDL (what start-up and CI check)", () => {
    expect(checkRegistry(buildSchema(), loadRegistry())).toEqual([]);
  });
});

describe('findDeprecatedUsage', () => {
  const deprecated = deprecatedCoordinates(schema);
  const usage = (query: string, variables?: Record<string, unknown>) =>
    findDeprecatedUsage(OperationAnalysis.of(schema, parse(query), undefined)!.forVariables(variables), deprecated);

  it('finds deprecated fields, arguments, enum values and input fields in the document', () => {
    expect(usage('{ order(legacyId: 1) { cents } orders(sort: OLD, filter: { state: "x" }) { id } }')).toEqual([
      'Filter.state',
      'Order.cents',
      'Query.order(legacyId:)',
      'Sort.OLD',
    ]);
    expect(usage('{ order(id: 1) { id } orders(sort: NEW) { id } }')).toEqual([]);
  });

  it('finds deprecated enum values and input fields passed in variables', () => {
    expect(usage('query($s: Sort, $f: Filter) { orders(sort: $s, filter: $f) { id } }', { s: 'OLD', f: { state: 'x' } })).toEqual(['Filter.state', 'Sort.OLD']);
    expect(usage('query($s: Sort) { orders(sort: $s) { id } }', { s: 'NEW' })).toEqual([]);
  });
});
