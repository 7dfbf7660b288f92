import { limitsPolicy } from '../../../src/policies/limitsPolicy';
import { fragmentBomb } from '../../helpers/hostileDocuments';
import { requestStateFor } from '../../helpers/requestStates';

const limits = { maxDepth: 6, maxAliases: 3, maxRootFields: 3, maxDirectives: 4, maxSelections: 100 };
const refusalOf = (state: ReturnType<typeof requestStateFor>) => {
  try {
    limitsPolicy(limits).prepare!(state);
  } catch (error) {
    return error as { message: string; extensions: Record<string, unknown> };
  }
  return undefined;
};

describe('limits policy', () => {
  it('lets an operation within every limit through', () => {
    expect(refusalOf(requestStateFor('{ products(first: 2) { edges { node { sku } } } }'))).toBeUndefined();
  });

  it('refuses an operation nested too deep, saying how deep and the limit', () => {
    const error = refusalOf(requestStateFor('{ orders { edges { node { items { product { inventory { warehouse { code } } } } } } } }'));
    expect(error?.message).toBe('The operation is nested 8 levels deep; the limit is 6.');
    expect(error?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth', actual: 8, maximum: 6, http: { status: 400 } });
  });

  it('refuses a fragment bomb by its inlined size, counted without inlining it', () => {
    const state = requestStateFor(fragmentBomb(40));
    const error = refusalOf(state);
    expect(error?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxSelections', actual: 1 + 2 ** 40, maximum: 100 });
    expect(error?.message).toBe(`The operation selects ${1 + 2 ** 40} fields (a fragment counts at every place it is spread); the limit is 100.`);
    expect(state.operation!.analysis.visits).toBeLessThan(50);
  });

  it('refuses a NUL character in a string literal with 400 BAD_USER_INPUT', () => {
    const error = refusalOf(requestStateFor('{ product(sku: "SKU\\u0000") { sku } }'));
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
  });

  it('refuses variables that cannot be coerced, before anything else runs', () => {
    const error = refusalOf(requestStateFor('query($first: Int) { orders(first: $first) { totalCount } }', { variables: { first: 'many' } }));
    expect(error?.message).toMatch(/Variable "\$first" got invalid value "many"/);
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
  });
});
