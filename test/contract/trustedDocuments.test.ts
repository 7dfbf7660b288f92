import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { MANIFEST_FILE, readManifest } from '../../src/persistedDocuments/manifest';
import { buildManifest, printManifest } from '../../src/persistedDocuments/publishManifest';
import { buildSchema } from '../../src/server/buildSchema';
import { listClientsWithOperations } from '../../src/server/schemaFiles';

describe('the trusted-documents manifest', () => {
  it('is up to date: run `npm run documents:publish` after changing schema/operations/', () => {
    expect(readFileSync(MANIFEST_FILE, 'utf8')).toBe(printManifest(buildManifest()));
  });

  it('holds every client operation, each valid against the schema under the SHA-256 of its body', () => {
    const manifest = readManifest();
    expect([...new Set(manifest.operations.map((o) => o.clientName))].sort()).toEqual(listClientsWithOperations());
    const schema = buildSchema();
    for (const operation of manifest.operations) expect([operation.name, validate(schema, parse(operation.body))]).toEqual([operation.name, []]);
  });
});
