import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { listGraphQLFiles, OPERATIONS_DIR } from '../server/schemaFiles';
import { MANIFEST_FORMAT, sha256Hex, type ManifestOperation, type PersistedQueryManifest } from './manifest';

/**
 * A document as a trusted document is written: printed by the normalizing printer GraphQL Code
 * Generator's client preset hashes for `persistedDocuments` (no comments, one canonical layout),
 * so that a web client generated from the same operations sends the very ids of the manifest.
 */
export function printTrustedDocument(text: string): string {
  return printExecutableGraphQLDocument(parse(text));
}

/** The manifest entry of one client operation file (its client is the folder under schema/operations/). */
export function manifestOperationOf(file: string, operationsDir = OPERATIONS_DIR): ManifestOperation {
  const body = printTrustedDocument(readFileSync(file, 'utf8'));
  const operation = parse(body).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation?.name) throw new Error(`${path.relative(operationsDir, file)}: a trusted document holds one named operation.`);
  return {
    id: sha256Hex(body),
    name: operation.name.value,
    type: operation.operation,
    body,
    clientName: path.relative(operationsDir, file).split(path.sep)[0]!,
  };
}

/** Every client operation of schema/operations/<client>/, by client then name. */
export function buildManifest(operationsDir = OPERATIONS_DIR): PersistedQueryManifest {
  const operations = listGraphQLFiles(operationsDir)
    .map((file) => manifestOperationOf(file, operationsDir))
    .sort((a, b) => a.clientName.localeCompare(b.clientName) || a.name.localeCompare(b.name));
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

export const printManifest = (manifest: PersistedQueryManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;
