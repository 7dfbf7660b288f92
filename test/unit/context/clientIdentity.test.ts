import { createClientIdentityResolver } from '../../../src/context/clientIdentity';
import { viewerOf } from '../../helpers/requestStates';

describe('client identity', () => {
  const resolve = createClientIdentityResolver(['web-shop'], 3);

  it("names an API key's client by its key, and a known client by its header", () => {
    expect(resolve(viewerOf([], { kind: 'service', clientName: 'support-bff' }), 'spoofed', '1.0')).toEqual({ name: 'support-bff', version: '1.0' });
    expect(resolve(viewerOf(['support']), 'web-shop', '4.2.0')).toEqual({ name: 'web-shop', version: '4.2.0' });
    expect(resolve(null, 'web-shop', '4.2.0')).toEqual({ name: 'web-shop', version: 'unknown' }); // anonymous: no version slots
  });

  it('groups unknown names as "other", and requests without a name as "unknown"', () => {
    expect(resolve(null, 'anything-at-all', '1.0')).toEqual({ name: 'other', version: 'unknown' });
    expect(resolve(null, undefined, undefined)).toEqual({ name: 'unknown', version: 'unknown' });
  });

  it('tells apart a bounded number of well-formed versions per client', () => {
    const resolve = createClientIdentityResolver(['web-shop'], 3);
    const user = viewerOf(['support']);
    const versions = ['1', '2', '3', '4', '5'].map((v) => resolve(user, 'web-shop', `9.${v}`).version);
    expect(versions).toEqual(['9.1', '9.2', '9.3', 'other', 'other']);
    expect(resolve(user, 'web-shop', '<script>').version).toBe('other');
    expect(resolve(user, 'web-shop', '9.1').version).toBe('9.1');
  });
});
