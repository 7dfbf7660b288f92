import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, concatAST, GraphQLError, parse, Source, type DocumentNode, type GraphQLSchema } from 'graphql';
import { validateSDL } from 'graphql/validation/validate';
import { parseRegistry, type DeprecationRegistry } from '../deprecations/registry';

const REGISTRY_PATH = 'schema/deprecations.yaml';
const SNAPSHOT_PATH = 'schema/snapshot.graphql';

/** A schema to compare, with the deprecation registry that went with it. */
export interface SchemaVersion {
  label: string;
  schema: GraphQLSchema;
  registry: DeprecationRegistry;
  /** Where the registry was read from; null when there was none, and an empty one stands in. */
  registrySource: string | null;
}

/** The check could not run: a baseline, file or SDL it cannot read. Its message is all the user needs. */
export class SchemaSourceError extends Error {
  override readonly name = 'SchemaSourceError';
}

export interface SdlFile {
  /** How messages name the file: a path, or ref:path for a git ref's. */
  name: string;
  text: string;
}

/**
 * The schema the SDL files define together. Each file is parsed on its own, so that an error
 * names the file and the line in it ("schema/orders/orders.graphql:12:3: Syntax Error: ...").
 */
export function schemaFromFiles(files: SdlFile[]): GraphQLSchema {
  const documents = files.map(({ name, text }) => {
    try {
      return parse(new Source(text, name));
    } catch (error) {
      if (error instanceof GraphQLError) throw new SchemaSourceError(locate(error));
      throw error;
    }
  });
  const document: DocumentNode = concatAST(documents);
  const errors = validateSDL(document);
  if (errors.length) throw new SchemaSourceError(errors.map(locate).join('\n'));
  return buildASTSchema(document, { assumeValidSDL: true });
}

export function schemaFromSdl(sdl: string, name = 'SDL'): GraphQLSchema {
  return schemaFromFiles([{ name, text: sdl }]);
}

function locate(error: GraphQLError): string {
  const where = error.source && error.locations?.[0];
  return where ? `${error.source.name}:${where.line}:${where.column}: ${error.message}` : error.message;
}

/** The working tree's schema/ (sources only) and registry. */
export function workingTreeVersion(repo: string, listSchemaFiles: (dir: string) => string[]): SchemaVersion {
  const files = listSchemaFiles(path.join(repo, 'schema'));
  return {
    label: 'working tree',
    schema: schemaFromFiles(files.map((f) => ({ name: path.relative(repo, f), text: readFileSync(f, 'utf8') }))),
    ...workingTreeRegistry(repo),
  };
}

export interface BaseOptions {
  /** A git ref or an SDL file; by default the merge base with main, or failing that the snapshot. */
  base?: string;
  /** The registry that went with the base, when it is not the one found by default. */
  baseRegistry?: string;
}

/**
 * The baseline: a git ref's schema/ sources and registry, or an SDL file (a snapshot) with the
 * registry committed at HEAD, the one that went with it: the working tree's is the change under
 * check, which drops the entry of every coordinate it removes. Without --base: the merge base
 * with main, or failing that the snapshot.
 */
export function baseVersion(repo: string, { base, baseRegistry }: BaseOptions = {}): SchemaVersion {
  const explicitRegistry = baseRegistry === undefined ? undefined : registryFromFile(repo, baseRegistry);
  if (base && existsSync(path.resolve(repo, base))) return fileVersion(repo, base, explicitRegistry);
  if (base && !isCommit(repo, base)) throw new SchemaSourceError(`--base ${base}: no such git ref or file`);
  const ref = base ?? mergeBaseWithMain(repo);
  if (!ref) {
    if (!existsSync(path.join(repo, SNAPSHOT_PATH))) {
      throw new SchemaSourceError(
        `No baseline: no main branch to take the merge base with, and no ${SNAPSHOT_PATH}. Name one with --base <git ref | SDL file>.`,
      );
    }
    return { ...fileVersion(repo, SNAPSHOT_PATH, explicitRegistry), label: 'committed snapshot (no merge base with main)' };
  }
  const schema = schemaAtCommit(repo, ref);
  if (!schema) throw new SchemaSourceError(`--base ${ref}: it has no schema/*.graphql files to compare with.`);
  return { label: ref, schema, ...(explicitRegistry ?? committedRegistry(repo, ref)) };
}

/** The schema a commit's schema/ sources define (not the snapshot or client operations); null when it has none. */
export function schemaAtCommit(repo: string, ref: string): GraphQLSchema | null {
  const files = git(repo, ['ls-tree', '-r', '--name-only', ref, '--', 'schema'])
    .split('\n')
    .filter((f) => f.endsWith('.graphql') && f !== SNAPSHOT_PATH && !f.startsWith('schema/operations/'));
  if (files.length === 0) return null;
  return schemaFromFiles(files.map((f) => ({ name: `${ref}:${f}`, text: git(repo, ['show', `${ref}:${f}`]) })));
}

type RegistryVersion = Pick<SchemaVersion, 'registry' | 'registrySource'>;

function fileVersion(repo: string, file: string, explicitRegistry: RegistryVersion | undefined): SchemaVersion {
  const registry = explicitRegistry ?? (hasCommits(repo) ? committedRegistry(repo, 'HEAD') : workingTreeRegistry(repo));
  const label = path.relative(repo, path.resolve(repo, file));
  return {
    label: `${label} (deprecations from ${registry.registrySource ?? 'nowhere: none'})`,
    schema: schemaFromSdl(readFileSync(path.resolve(repo, file), 'utf8'), label),
    ...registry,
  };
}

/** The working tree's schema/deprecations.yaml; an empty registry when there is none. */
export function workingTreeRegistry(repo: string): RegistryVersion {
  const file = path.join(repo, REGISTRY_PATH);
  if (!existsSync(file)) return { registry: parseRegistry('deprecations: []'), registrySource: null };
  return { registry: parseRegistry(readFileSync(file, 'utf8'), REGISTRY_PATH), registrySource: REGISTRY_PATH };
}

function committedRegistry(repo: string, ref: string): RegistryVersion {
  const source = `${ref}:${REGISTRY_PATH}`;
  let text: string;
  try {
    text = git(repo, ['show', source]);
  } catch {
    // A commit from before the registry existed deprecated nothing.
    return { registry: parseRegistry('deprecations: []'), registrySource: null };
  }
  return { registry: parseRegistry(text, source), registrySource: source };
}

function registryFromFile(repo: string, file: string): RegistryVersion {
  const full = path.resolve(repo, file);
  if (!existsSync(full)) throw new SchemaSourceError(`--base-registry ${file}: no such file`);
  return { registry: parseRegistry(readFileSync(full, 'utf8'), file), registrySource: file };
}

export function hasCommits(repo: string): boolean {
  return isCommit(repo, 'HEAD');
}

function isCommit(repo: string, ref: string): boolean {
  try {
    git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

function mergeBaseWithMain(repo: string): string | undefined {
  for (const main of ['main', 'origin/main']) {
    try {
      return git(repo, ['merge-base', 'HEAD', main]).trim();
    } catch {
      // try the next name
    }
  }
  return undefined;
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}
