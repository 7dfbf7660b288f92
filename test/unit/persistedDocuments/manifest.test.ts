import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManifestError, readManifest, sha256Hex } from '../../../src/persistedDocuments/manifest';
import { printTrustedDocument } from '../../../src/persistedDocuments/publishManifest';

const dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
const write = (content: unknown) => {
  const file = path.join(dir, `${sha256Hex(JSON.stringify(content))}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const body = 'query Q { __typename }';
const manifest = (operations: unknown[]) => ({ format: 'apollo-persisted-query-manifest', version: 1, operations });

describe('readManifest', () => {
  it('reads a manifest whose ids are the SHA-256 of their bodies', () => {
    const operation = { id: sha256Hex(body), name: 'Q', type: 'query', body, clientName: 'web-shop' };
    expect(readManifest(write(manifest([operation]))).operations).toEqual([operation]);
  });

  it('refuses an id that is not the hash of its body: it would run a document nobody reviewed under that id', () => {
    const tampered = { id: sha256Hex('query Q { other }'), name: 'Q', type: 'query', body, clientName: 'web-shop' };
    expect(() => readManifest(write(manifest([tampered])))).toThrow(ManifestError);
    expect(() => readManifest(write(manifest([tampered])))).toThrow(/the id of operation Q is not the SHA-256 of its body\. Run npm run documents:publish/);
  });

  it('refuses another format, or no JSON', () => {
    expect(() => readManifest(write({ format: 'relay', version: 1, operations: [] }))).toThrow(/not an apollo-persisted-query-manifest of version 1/);
    expect(() => readManifest(write('{'))).toThrow(/not JSON/);
  });

  it('reads no file as no trusted documents', () => {
    expect(readManifest(path.join(dir, 'absent.json')).operations).toEqual([]);
  });
});

describe('printTrustedDocument', () => {
  it('prints one canonical text whatever the layout and comments, so ids do not change with formatting', () => {
    const a = printTrustedDocument('# a comment\nquery  P($sku: String!) {\n  product(sku: $sku) { sku name }\n}');
    const b = printTrustedDocument('query P($sku: String!) { product(sku: $sku) { name sku } }');
    expect(a).toBe(b);
    expect(a).toBe('query P($sku: String!) { product(sku: $sku) { name sku } }');
  });
});
