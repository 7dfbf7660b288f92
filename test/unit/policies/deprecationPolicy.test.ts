import { loadRegistry } from '../../../src/deprecations/registry';
import type { DeprecatedUsageRecorder } from '../../../src/deprecations/usageRecorder';
import { deprecationPolicy } from '../../../src/policies/deprecationPolicy';
import { requestStateFor, schema } from '../../helpers/requestStates';

const registry = loadRegistry();
const recorded: Array<[readonly string[], unknown]> = [];
const recorder = { record: (coordinates: readonly string[], client: unknown) => recorded.push([coordinates, client]) } as unknown as DeprecatedUsageRecorder;
const QUERY = '{ orders(first: 1, orderBy: { field: TOTAL, direction: ASC }) { edges { node { totalCents } } } }';

describe('deprecation policy', () => {
  beforeEach(() => recorded.splice(0));

  it('counts the deprecated coordinates an operation uses, per client, and warns in extensions', async () => {
    const policy = deprecationPolicy({ schema, registry, recorder, policy: 'warn' });
    const state = requestStateFor(QUERY);
    await policy.prepare!(state);
    expect(state.deprecations).toEqual(['Order.totalCents', 'OrderSortField.TOTAL']);
    expect(recorded).toEqual([[['Order.totalCents', 'OrderSortField.TOTAL'], { name: 'unknown', version: 'unknown' }]]);
    const body: { data: Record<string, unknown>; extensions?: Record<string, any> } = { data: {} };
    await policy.complete!(state, body);
    expect(body.extensions!.deprecations.map((d: { coordinate: string }) => d.coordinate)).toEqual(['Order.totalCents', 'OrderSortField.TOTAL']);
  });

  it('refuses coordinates past their sunset with the reject policy', async () => {
    const policy = deprecationPolicy({ schema, registry, recorder, policy: 'reject', today: () => '2099-01-01' });
    expect(() => policy.prepare!(requestStateFor(QUERY))).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'DEPRECATED_FIELD_REMOVED' }) }),
    );
  });
});
