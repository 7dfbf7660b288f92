import { parse, print } from 'graphql';
import { OperationAnalysis } from '../../../src/analysis/operationAnalysis';
import { buildAccessRules } from '../../../src/auth/accessRules';
import { applyDenials, planAuthorization, PLACEHOLDER_KEY, stripAuthorizationMarkers, TYPE_MARKER_KEY } from '../../../src/auth/authorizationPlan';
import { ROLES, type Scope } from '../../../src/auth/scopes';
import { buildSchema } from '../../../src/server/buildSchema';
import { fragmentBomb } from '../../helpers/hostileDocuments';

const schema = buildSchema();
const rules = buildAccessRules(schema);
const customer = new Set<Scope>(ROLES.customer);
const request = (query: string, variables?: Record<string, unknown>) => OperationAnalysis.of(schema, parse(query), undefined)!.forVariables(variables);

describe('authorization plan', () => {
  it('denies nothing and keeps the document when every field is allowed', () => {
    const sent = request('{ products(first: 2) { edges { node { sku } } } }');
    const plan = planAuthorization(rules, sent, customer);
    expect(plan.denied.size).toBe(0);
    expect(plan.document).toBe(sent.analysis.document);
  });

  it('removes denied fields from the document, once per set of denials', () => {
    const sent = request('{ product(sku: "x") { sku inventory { onHand } } }');
    const plan = planAuthorization(rules, sent, customer);
    expect(plan.denied.get('Product.inventory')).toEqual({ code: 'FORBIDDEN', message: 'Not authorized: Product.inventory needs inventory:read.' });
    expect(print(plan.document)).not.toMatch(/inventory/);
    expect(planAuthorization(rules, sent, customer).document).toBe(plan.document);
  });

  it('answers anonymous viewers with UNAUTHENTICATED', () => {
    const plan = planAuthorization(rules, request('{ warehouses { code } }'), undefined);
    expect(plan.denied.get('Query.warehouses')).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Authentication required: Query.warehouses needs inventory:read.',
    });
  });

  it('decides a fragment bomb from its coordinates, without expanding it', () => {
    const sent = request(fragmentBomb(40, 'sku inventory { onHand }'));
    const plan = planAuthorization(rules, sent, customer);
    expect([...plan.denied.keys()].sort()).toEqual(['InventoryLevel.onHand', 'Product.inventory']);
    expect(sent.analysis.visits).toBeLessThan(100);
  });

  it('follows @skip/@include with the variables: a skipped field is not denied', () => {
    const query = 'query($stock: Boolean!) { product(sku: "x") { sku inventory @include(if: $stock) { onHand } } }';
    expect(planAuthorization(rules, request(query, { stock: false }), customer).denied.size).toBe(0);
    expect(planAuthorization(rules, request(query, { stock: true }), customer).denied.has('Product.inventory')).toBe(true);
  });
});

describe('applyDenials', () => {
  it('puts null and an error at every concrete path, list indexes included', () => {
    const sent = request('{ products(first: 2) { edges { node { sku ...Stock } } } } fragment Stock on Product { inventory { onHand } }');
    const plan = planAuthorization(rules, sent, customer);
    const data = { products: { edges: [{ node: { sku: 'A' } }, { node: { sku: 'B' } }] } };
    const { data: patched, errors } = applyDenials(data, plan, sent);
    expect(patched).toEqual({ products: { edges: [{ node: { sku: 'A', inventory: null } }, { node: { sku: 'B', inventory: null } }] } });
    expect(errors.map((e) => e.path)).toEqual([
      ['products', 'edges', 0, 'node', 'inventory'],
      ['products', 'edges', 1, 'node', 'inventory'],
    ]);
  });

  it('propagates null through non-null fields as execution would: a denied non-null field nulls its parent', async () => {
    const sent = request('{ products(first: 1) { edges { node { sku inventory { onHand } } } } }');
    const plan = planAuthorization(rules, sent, customer);
    expect(plan.denied.has('Product.inventory')).toBe(true);
    // Product.inventory is nullable: only it is null. A denied non-null leaf (Customer.name,
    // for a viewer without customers:read) nulls its object up to the nearest nullable field.
    const staff = request('{ order(id: "x") { id customer { name } } }');
    const staffPlan = planAuthorization(rules, staff, new Set<Scope>(['orders:read']));
    const { data, errors } = applyDenials({ order: { id: 'o', customer: { [PLACEHOLDER_KEY]: 'Customer' } } }, staffPlan, staff);
    expect(data).toEqual({ order: { id: 'o', customer: null } });
    expect(errors.map((e) => e.path)).toEqual([['order', 'customer', 'name']]);
  });

  it('applies a type-conditioned denial only to objects of that type, read from the type marker', () => {
    const sent = request('{ nodes(ids: ["a", "b"]) { id ... on Product { sku inventory { onHand } } } }');
    const plan = planAuthorization(rules, sent, customer);
    expect(print(plan.document)).toMatch(new RegExp(`${TYPE_MARKER_KEY}: __typename`));
    const data = {
      nodes: [
        { id: 'a', [TYPE_MARKER_KEY]: 'Product', sku: 'A' },
        { id: 'b', [TYPE_MARKER_KEY]: 'Order' },
      ],
    };
    const { data: patched, errors } = applyDenials(data, plan, sent);
    stripAuthorizationMarkers(patched);
    expect(patched).toEqual({ nodes: [{ id: 'a', sku: 'A', inventory: null }, { id: 'b' }] });
    expect(errors.map((e) => e.path)).toEqual([['nodes', 0, 'inventory']]);
  });

  it('does not repeat an error a replayed response already holds', () => {
    const sent = request('{ product(sku: "x") { sku inventory { onHand } } }');
    const plan = planAuthorization(rules, sent, customer);
    const existing = [{ message: 'x', path: ['product', 'inventory'], extensions: { code: 'FORBIDDEN' } }];
    expect(applyDenials({ product: { sku: 'A', inventory: null } }, plan, sent, existing).errors).toEqual([]);
  });
});
