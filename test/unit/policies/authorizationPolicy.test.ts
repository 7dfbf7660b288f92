import { buildAccessRules } from '../../../src/auth/accessRules';
import { authorizationPolicy } from '../../../src/policies/authorizationPolicy';
import { authenticationPolicy } from '../../../src/policies/authenticationPolicy';
import { BadCredentialsError } from '../../../src/errors';
import { requestStateFor, schema, viewerOf } from '../../helpers/requestStates';

const policy = authorizationPolicy(buildAccessRules(schema));

describe('authentication policy', () => {
  it('verifies the credentials again and takes the viewer they give now', async () => {
    const state = requestStateFor('{ products { totalCount } }', { viewer: viewerOf(['admin']) });
    const support = viewerOf(['support']);
    (state as { verifyViewer: () => Promise<unknown> }).verifyViewer = async () => support;
    await authenticationPolicy().prepare!(state);
    expect(state.viewer).toBe(support);
  });

  it('refuses the operation when the credentials no longer verify', async () => {
    const state = requestStateFor('{ products { totalCount } }');
    (state as { verifyViewer: () => Promise<unknown> }).verifyViewer = async () => {
      throw new BadCredentialsError('the token has expired');
    };
    await expect(authenticationPolicy().prepare!(state)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('authorization policy', () => {
  it('narrows the executed document and completes the response with the denials', async () => {
    const state = requestStateFor('{ product(sku: "x") { sku inventory { onHand } } }', { viewer: viewerOf(['customer']) });
    await policy.prepare!(state);
    expect(state.executedDocument).not.toBe(state.operation!.document);
    const body = { data: { product: { sku: 'A' } } as Record<string, unknown> };
    await policy.complete!(state, body);
    expect(body).toEqual({
      data: { product: { sku: 'A', inventory: null } },
      errors: [{ message: 'Not authorized: Product.inventory needs inventory:read.', path: ['product', 'inventory'], extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('refuses a subscription whose root field the viewer may not read', async () => {
    const state = requestStateFor('subscription { orderStatusChanged(orderId: "x") { status } }', { viewer: null });
    expect(() => policy.prepare!(state)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });

  it('marks abstract types in an idempotent mutation, so that its stored response can be authorized again', async () => {
    const state = requestStateFor('mutation { placeOrder(input: { items: [] }) { order { id } } }', { idempotencyKey: 'k1' });
    await policy.prepare!(state);
    expect(state.authorization!.denied.size).toBe(0);
    expect(state.authorization!.marksTypes).toBe(true);
  });
});
