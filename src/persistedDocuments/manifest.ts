import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OPERATIONS_DIR } from '../server/schemaFiles';

/**
 * The trusted documents: every client operation of schema/operations/<client>/, as Apollo's
 * persisted query manifest (what Apollo Router, GraphOS and `@apollo/generate-persisted-query-manifest`
 * read and write), each operation with the client it belongs to. Written by
 * `npm run documents:publish`, committed, and checked up to date by a test.
 */
export const MANIFEST_FILE = path.join(OPERATIONS_DIR, 'persisted-query-manifest.json');

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export interface ManifestOperation {
  /** The lower-case hex SHA-256 of `body`: a client sends it as `sha256:<id>` (documentId) or as extensions.persistedQuery.sha256Hash. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
  /** The folder under schema/operations/ it comes from (an extension of Apollo's format, which ignores it). */
  clientName: string;
}

export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: ManifestOperation[];
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A manifest the gateway cannot trust stops it at start-up, naming the file and what to do. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/**
 * Reads and checks a manifest: its format and version, and that every id is its body's SHA-256
 * (an id that is not would run another document than the one reviewed). No file: no trusted
 * documents.
 */
export function readManifest(file = MANIFEST_FILE): PersistedQueryManifest {
  if (!existsSync(file)) return { format: MANIFEST_FORMAT, version: 1, operations: [] };
  const fail = (why: string) => new ManifestError(`${file}: ${why}. Run npm run documents:publish to write it again.`);
  let manifest: PersistedQueryManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as PersistedQueryManifest;
  } catch (error) {
    throw fail(`not JSON (${(error as Error).message})`);
  }
  if (manifest?.format !== MANIFEST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw fail(`not an ${MANIFEST_FORMAT} of version 1`);
  }
  for (const operation of manifest.operations) {
    if (typeof operation?.body !== 'string' || operation.id !== sha256Hex(operation.body)) {
      throw fail(`the id of operation ${String(operation?.name)} is not the SHA-256 of its body`);
    }
  }
  return manifest;
}
