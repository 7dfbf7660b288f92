import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../projectRoot';

/*
 * Where the SDL lives, apart from building the executable schema (buildSchema.ts), which loads
 * every resolver and, through them, the database client: the schema check and the IDE only
 * read files, and start in a fraction of the time without them.
 */

export const SCHEMA_DIR = path.join(PROJECT_ROOT, 'schema');
/** The printed, sorted schema kept for review (npm run schema:snapshot); not a source. */
export const SNAPSHOT_FILE = path.join(SCHEMA_DIR, 'snapshot.graphql');
/** Client operations (schema/operations/<client>/*.graphql): checked against the schema, not part of it. */
export const OPERATIONS_DIR = path.join(SCHEMA_DIR, 'operations');

/** The SDL files under schema/, in a stable order: the public contract. */
export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  return listSchemaFiles(dir).map((file) => readFileSync(file, 'utf8'));
}

/** The schema's source files: every .graphql under `dir` but the snapshot and client operations. */
export function listSchemaFiles(dir = SCHEMA_DIR): string[] {
  const snapshot = path.join(dir, path.basename(SNAPSHOT_FILE));
  const operations = path.join(dir, path.basename(OPERATIONS_DIR)) + path.sep;
  return listGraphQLFiles(dir).filter((file) => file !== snapshot && !file.startsWith(operations));
}

export function listGraphQLFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The clients whose operations the schema check guards (schema/operations/<client>/): known by name in usage reports. */
export function listClientsWithOperations(dir = OPERATIONS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The trusted clients' operations (schema/operations/<client>/*.graphql), by name and type: metrics label each of them. */
export function listKnownOperations(dir = OPERATIONS_DIR): Array<{ name: string; type: string }> {
  if (!existsSync(dir)) return [];
  const operations = new Map<string, string>();
  for (const file of listGraphQLFiles(dir)) {
    // A file the schema check would refuse names nothing here: the check reports it.
    for (const match of readFileSync(file, 'utf8').matchAll(/\b(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g))
      operations.set(match[2]!, match[1]!);
  }
  return [...operations].map(([name, type]) => ({ name, type })).sort((a, b) => a.name.localeCompare(b.name));
}
