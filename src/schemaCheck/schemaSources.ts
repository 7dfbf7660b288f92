import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';
import { parseRegistry, type DeprecationRegistry } from '../deprecations/registry';

const REGISTRY_PATH = 'schema/deprecations.yaml';

/** A schema to compare, with the deprecation registry that went with it. */
export interface SchemaVersion {
  label: string;
  schema: GraphQLSchema;
  registry: DeprecationRegistry;
  /** Where the registry was read from; null when there was none, and an empty one stands in. */
  registrySource: string | null;
}

export function schemaFromSdl(sdl: string): GraphQLSchema {
  return buildASTSchema(parse(sdl));
}

/** The working tree's schema/ (sources only) and registry. */
export function workingTreeVersion(repo: string, listSchemaFiles: (dir: string) => string[]): SchemaVersion {
  const files = listSchemaFiles(path.join(repo, 'schema'));
  return {
    label: 'working tree',
    schema: schemaFromSdl(files.map((f) => readFileSync(f, 'utf8')).join('\n')),
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
  const ref = base ?? mergeBaseWithMain(repo);
  if (!ref) return { ...fileVersion(repo, 'schema/snapshot.graphql', explicitRegistry), label: 'committed snapshot (no merge base with main)' };
  const files = git(repo, ['ls-tree', '-r', '--name-only', ref, '--', 'schema'])
    .split('\n')
    .filter((f) => f.endsWith('.graphql') && f !== 'schema/snapshot.graphql' && !f.startsWith('schema/operations/'));
  if (files.length === 0) throw new Error(`${ref} has no schema/*.graphql files to compare with.`);
  const sdl = files.map((f) => git(repo, ['show', `${ref}:${f}`])).join('\n');
  return { label: ref, schema: schemaFromSdl(sdl), ...(explicitRegistry ?? committedRegistry(repo, ref)) };
}

type RegistryVersion = Pick<SchemaVersion, 'registry' | 'registrySource'>;

function fileVersion(repo: string, file: string, explicitRegistry: RegistryVersion | undefined): SchemaVersion {
  const registry = explicitRegistry ?? (hasCommits(repo) ? committedRegistry(repo, 'HEAD') : workingTreeRegistry(repo));
  const label = path.relative(repo, path.resolve(repo, file));
  return {
    label: `${label} (deprecations from ${registry.registrySource ?? 'nowhere: none'})`,
    schema: schemaFromSdl(readFileSync(path.resolve(repo, file), 'utf8')),
    ...registry,
  };
}

function workingTreeRegistry(repo: string): RegistryVersion {
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
  return { registry: parseRegistry(readFileSync(full, 'utf8'), file), registrySource: file };
}

function hasCommits(repo: string): boolean {
  try {
    git(repo, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
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
