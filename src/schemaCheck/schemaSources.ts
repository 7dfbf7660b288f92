import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';
import { parseRegistry, type DeprecationRegistry } from '../deprecations/registry';

/** A schema to compare, with the deprecation registry that went with it. */
export interface SchemaVersion {
  label: string;
  schema: GraphQLSchema;
  registry: DeprecationRegistry;
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
    registry: parseRegistry(readRegistry(path.join(repo, 'schema/deprecations.yaml')), 'schema/deprecations.yaml'),
  };
}

/**
 * The baseline: an SDL file (a snapshot), or a git ref's schema/ sources and registry.
 * Without --base: the merge base with main, or failing that the committed snapshot.
 */
export function baseVersion(repo: string, base: string | undefined): SchemaVersion {
  if (base && existsSync(path.resolve(repo, base))) {
    const file = path.resolve(repo, base);
    return {
      label: path.relative(repo, file),
      schema: schemaFromSdl(readFileSync(file, 'utf8')),
      registry: parseRegistry(readRegistry(path.join(repo, 'schema/deprecations.yaml')), 'schema/deprecations.yaml'),
    };
  }
  const ref = base ?? mergeBaseWithMain(repo);
  if (!ref) {
    return { ...baseVersion(repo, 'schema/snapshot.graphql'), label: 'committed snapshot (no merge base with main)' };
  }
  const files = git(repo, ['ls-tree', '-r', '--name-only', ref, '--', 'schema'])
    .split('\n')
    .filter((f) => f.endsWith('.graphql') && f !== 'schema/snapshot.graphql' && !f.startsWith('schema/operations/'));
  if (files.length === 0) throw new Error(`${ref} has no schema/*.graphql files to compare with.`);
  const sdl = files.map((f) => git(repo, ['show', `${ref}:${f}`])).join('\n');
  let registryText = 'deprecations: []';
  try {
    registryText = git(repo, ['show', `${ref}:schema/deprecations.yaml`]);
  } catch {
    // A baseline from before the registry existed deprecated nothing.
  }
  return { label: ref, schema: schemaFromSdl(sdl), registry: parseRegistry(registryText, `${ref}:schema/deprecations.yaml`) };
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

function readRegistry(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : 'deprecations: []';
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}
