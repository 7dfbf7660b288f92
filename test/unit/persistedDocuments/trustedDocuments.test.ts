import type { Viewer } from '../../../src/auth/viewer';
import { GatewayError } from '../../../src/errors';
import { sha256Hex, type PersistedQueryManifest } from '../../../src/persistedDocuments/manifest';
import { TrustedDocuments } from '../../../src/persistedDocuments/trustedDocuments';

const body = 'query ProductPage($sku: String!) { product(sku: $sku) { sku } }';
const id = sha256Hex(body);
const manifest: PersistedQueryManifest = {
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [{ id, name: 'ProductPage', type: 'query', body, clientName: 'web-shop' }],
};
const trusted = new TrustedDocuments(manifest, ['web-shop', 'support-bff']);
const keyOf = (clientName: string) => ({ clientName }) as Viewer;
const codeOf = (result: unknown) => (result instanceof GatewayError ? result.extensions.code : 'resolved');

describe('TrustedDocuments.resolve', () => {
  it('puts the document in place of its id, keeping the other extensions and dropping persistedQuery', () => {
    const sent = { documentId: `sha256:${id}`, variables: { sku: 'A' }, extensions: { idempotencyKey: 'k1', persistedQuery: { version: 1, sha256Hash: id } } };
    expect(trusted.resolve(sent, keyOf('web-shop'), 'http')).toEqual({ query: body, variables: { sku: 'A' }, extensions: { idempotencyKey: 'k1' } });
    expect(trusted.resolve({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, null, 'websocket')).toEqual({ query: body, extensions: {} });
  });

  it('locks only the listed clients of API keys, each to its own documents', () => {
    const text = { query: '{ __typename }' };
    expect(codeOf(trusted.resolve(text, keyOf('web-shop'), 'http'))).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(codeOf(trusted.resolve({ documentId: `sha256:${id}` }, keyOf('support-bff'), 'http'))).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(trusted.resolve(text, keyOf('reporting'), 'http')).toBe(text);
    expect(trusted.resolve(text, null, 'http')).toBe(text);
  });

  it('leaves an unknown hash to the APQ store over HTTP, and refuses it over WebSocket', () => {
    const hashOnly = { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex('{ __typename }') } } };
    expect(trusted.resolve(hashOnly, null, 'http')).toEqual({ extensions: hashOnly.extensions });
    expect(codeOf(trusted.resolve(hashOnly, null, 'websocket'))).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    expect(codeOf(trusted.resolve({ documentId: `sha256:${sha256Hex('{ __typename }')}` }, null, 'http'))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
