import { parse } from 'graphql';
import { getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { AnalysisCache } from '../../../src/analysis/analysisCache';
import { OperationAnalysis, SATURATED } from '../../../src/analysis/operationAnalysis';
import { buildCostModel, estimateCost } from '../../../src/complexity/costModel';
import { buildSchema } from '../../../src/server/buildSchema';
import { fragmentBomb } from '../../helpers/hostileDocuments';

const schema = buildSchema();
const analyse = (query: string, operationName?: string) => OperationAnalysis.of(schema, parse(query), operationName)!;

describe('operation analysis', () => {
  it('measures depth, aliases, root fields, directives and inlined selections, fragments counted where spread', () => {
    const analysis = analyse(`query Q @skip(if: false) { a: products(first: 1) { ...E } orders { totalCount } }
      fragment E on ProductConnection { edges { node { sku n: name @include(if: true) } } }`);
    expect(analysis.shape).toEqual({
      depth: 4,
      aliases: 2,
      rootFields: 2,
      directives: 2,
      selections: 7,
      introspection: { lists: 0, ofType: 0 },
      introspects: false,
    });
  });

  it.each([22, 40])('analyses a %i-level fragment bomb in time linear in its size', (levels) => {
    const analysis = analyse(fragmentBomb(levels));
    // Each selection set is visited once: the document's 1 + levels + 2 sets, not 2^levels spreads.
    expect(analysis.visits).toBeLessThanOrEqual(levels + 4);
    expect(analysis.shape.selections).toBe(Math.min(SATURATED, 1 + 2 ** levels));
    expect(analysis.shape.depth).toBe(2);
    const request = analysis.forVariables(undefined);
    expect([...request.coordinates.fields].sort()).toEqual(['Product.sku', 'Query.product']);
    expect(analysis.visits).toBeLessThanOrEqual(2 * (levels + 4));
  });

  it('saturates counts that no number can hold (a bomb of 1,100 levels)', () => {
    expect(analyse(fragmentBomb(1_100)).shape.selections).toBe(SATURATED);
  });

  it("selects coordinates after @skip/@include, with the request's variables", () => {
    const analysis = analyse(`query($withStock: Boolean!) { product(sku: "x") { sku inventory @include(if: $withStock) { onHand } } }`);
    expect([...analysis.forVariables({ withStock: false }).coordinates.fields].sort()).toEqual(['Product.sku', 'Query.product']);
    expect([...analysis.forVariables({ withStock: true }).coordinates.fields].sort()).toEqual([
      'InventoryLevel.onHand',
      'Product.inventory',
      'Product.sku',
      'Query.product',
    ]);
  });

  it('records the arguments, enum values and input fields a request uses, in the document and its variables', () => {
    const analysis = analyse(`query($f: OrderFilter) { orders(filter: $f, orderBy: { field: TOTAL, direction: ASC }) { totalCount } }`);
    const used = analysis.forVariables({ f: { status: 'PAID' } }).usedCoordinates();
    for (const coordinate of [
      'Query.orders(filter:)',
      'Query.orders(orderBy:)',
      'OrderOrderBy.field',
      'OrderSortField.TOTAL',
      'SortDirection.ASC',
      'OrderFilter.status',
      'OrderStatus.PAID',
    ]) {
      expect(used).toContain(coordinate);
    }
  });

  it('coerces variables once per set of variables, and reports what cannot be coerced', () => {
    const analysis = analyse(`query($first: Int) { orders(first: $first) { totalCount } }`);
    expect(analysis.forVariables({ first: 3 })).toBe(analysis.forVariables({ first: 3 }));
    expect(analysis.forVariables({ first: 'many' }).errors[0]?.message).toMatch(/Variable "\$first" got invalid value "many"/);
  });

  it('finds NUL characters in string literals (graphql-js refuses unpaired surrogates when parsing)', () => {
    expect(analyse('{ product(sku: "SKU-00001") { sku } }').hasMalformedString).toBe(false);
    expect(analyse('{ product(sku: "a\\u0000b") { sku } }').hasMalformedString).toBe(true);
    expect(analyse('{ product(sku: "\\uD83D\\uDCA5") { sku } }').hasMalformedString).toBe(false);
    expect(() => parse('{ product(sku: "\\uD800") { sku } }')).toThrow(/Invalid Unicode escape sequence/);
  });
});

describe('analysis cache', () => {
  it('computes the analysis of a document once, whatever the number of requests', () => {
    const cache = new AnalysisCache(schema);
    const document = parse('query A { products { totalCount } } query B { warehouses { code } }');
    for (let i = 0; i < 5; i++) {
      expect(cache.get(document, 'A')?.operation.name?.value).toBe('A');
      expect(cache.get(document, 'B')?.operation.name?.value).toBe('B');
    }
    expect(cache.built).toBe(2);
    expect(cache.get(document, 'Missing')).toBeUndefined();
  });

  it('keeps the analyses of at most 8 operations of one document: more names cannot grow it', () => {
    const cache = new AnalysisCache(schema);
    const document = parse(Array.from({ length: 10 }, (_, i) => `query Q${i} { products { totalCount } }`).join(' '));
    for (let round = 0; round < 2; round++) for (let i = 0; i < 10; i++) cache.get(document, `Q${i}`);
    expect(cache.built).toBe(10 + 2); // Q8 and Q9 analysed again in the second round
  });

  it('builds only the fragments an operation reaches', () => {
    const analysis = analyse(
      'query A { ...F } query B { ...G } fragment F on Query { products { totalCount } } fragment G on Query { warehouses { code } }',
      'A',
    );
    expect([...analysis.graph.fragments.keys()]).toEqual(['F']);
  });
});

describe('variables analysis', () => {
  const analysis = analyse('query($first: Int) { orders(first: $first) { totalCount } }');

  it('ignores variables the operation does not declare', () => {
    expect(analysis.forVariables({ first: 3, junk: 'x'.repeat(10) })).toBe(analysis.forVariables({ first: 3 }));
  });

  it('does not cache the analysis of large variables', () => {
    const large = analyse('query($ids: [ID!]!) { nodes(ids: $ids) { id } }');
    const ids = Array.from({ length: 500 }, (_, i) => `id-${i}`);
    expect(large.forVariables({ ids })).not.toBe(large.forVariables({ ids }));
    expect(large.forVariables({ ids: ['a'] })).toBe(large.forVariables({ ids: ['a'] }));
  });
});

describe('the cost walk agrees with graphql-query-complexity', () => {
  // Its walker re-expands every spread; ours prices each selection set once. With the simple
  // estimator (every field 1 + its children), both must give the same number.
  it.each([
    '{ orders(first: 5) { edges { node { id customer { name } items { product { sku inventory { warehouse { code } } } } } } } }',
    '{ node(id: "x") { id ... on Order { status customer { name } } ... on Product { sku inventory { onHand } } } }',
    'query($s: Boolean!) { products { ...P ...P } } fragment P on ProductConnection { edges { node { sku inventory @skip(if: $s) { onHand } } } }',
    '{ ...Q } fragment Q on Query { warehouses { code ...W } } fragment W on Warehouse { inventory(first: 2) { edges { node { available } } } }',
  ])('%s', (query) => {
    const document = parse(query);
    const variables = { s: false };
    const expected = getComplexity({ schema, query: document, variables, estimators: [simpleEstimator({ defaultComplexity: 1 })] });
    const analysis = OperationAnalysis.of(schema, document, undefined)!;
    expect(estimateCost(buildCostModel(schema), analysis.forVariables(variables), simpleEstimator({ defaultComplexity: 1 }))).toBe(expected);
  });
});
