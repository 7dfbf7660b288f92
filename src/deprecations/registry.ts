import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, type GraphQLSchema } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../projectRoot';
import { z } from 'zod';

export const REGISTRY_FILE = path.join(PROJECT_ROOT, 'schema/deprecations.yaml');

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');
const entrySchema = z.object({
  coordinate: z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*(\([A-Za-z_]\w*:\))?$/, 'must be Type.field, Type.field(arg:), Enum.VALUE or Input.field'),
  reason: z.string().min(1),
  replacement: z.string().min(1),
  deprecatedOn: z.union([date, z.date().transform((d) => d.toISOString().slice(0, 10))]),
  removeAfter: z.union([date, z.date().transform((d) => d.toISOString().slice(0, 10))]),
  owner: z.string().min(1),
});
const registrySchema = z.object({ deprecations: z.array(entrySchema) });

export type DeprecationEntry = z.infer<typeof entrySchema>;

export interface DeprecationRegistry {
  entries: DeprecationEntry[];
  get(coordinate: string): DeprecationEntry | undefined;
}

export class DeprecationRegistryError extends Error {
  override readonly name = 'DeprecationRegistryError';
}

/** Reads and validates schema/deprecations.yaml (or another registry file). */
export function loadRegistry(file = REGISTRY_FILE): DeprecationRegistry {
  return parseRegistry(readFileSync(file, 'utf8'), file);
}

export function parseRegistry(text: string, source = 'deprecations.yaml'): DeprecationRegistry {
  const parsed = registrySchema.safeParse(parseYaml(text) ?? { deprecations: [] });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new DeprecationRegistryError(`${source} is not a valid deprecation registry:\n${problems.join('\n')}`);
  }
  const entries = parsed.data.deprecations;
  for (const entry of entries) {
    if (entry.removeAfter <= entry.deprecatedOn) {
      throw new DeprecationRegistryError(`${source}: ${entry.coordinate} must be removed after it was deprecated (removeAfter > deprecatedOn).`);
    }
  }
  const byCoordinate = new Map(entries.map((e) => [e.coordinate, e]));
  if (byCoordinate.size !== entries.length) throw new DeprecationRegistryError(`${source} lists a coordinate twice.`);
  return { entries, get: (coordinate) => byCoordinate.get(coordinate) };
}

/** Every coordinate the schema marks @deprecated, with its reason. */
export function deprecatedCoordinates(schema: GraphQLSchema): Map<string, string> {
  const found = new Map<string, string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason) found.set(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args) if (arg.deprecationReason) found.set(`${type.name}.${field.name}(${arg.name}:)`, arg.deprecationReason);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (field.deprecationReason) found.set(`${type.name}.${field.name}`, field.deprecationReason);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (value.deprecationReason) found.set(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return found;
}

/**
 * The SDL and the registry must agree both ways: every @deprecated coordinate has an entry
 * with the same reason, and every entry names a coordinate the SDL deprecates.
 */
export function checkRegistry(schema: GraphQLSchema, registry: DeprecationRegistry): string[] {
  const inSchema = deprecatedCoordinates(schema);
  const problems: string[] = [];
  for (const [coordinate, reason] of inSchema) {
    const entry = registry.get(coordinate);
    if (!entry) problems.push(`${coordinate} is @deprecated in the SDL but has no entry in schema/deprecations.yaml`);
    else if (entry.reason !== reason) problems.push(`${coordinate}: the registry's reason "${entry.reason}" differs from the SDL's "${reason}"`);
  }
  for (const entry of registry.entries) {
    if (!inSchema.has(entry.coordinate)) problems.push(`${entry.coordinate} has a registry entry but is not @deprecated in the SDL`);
  }
  return problems;
}

/** Loads the registry and fails, listing every disagreement, unless it matches the SDL. */
export function loadCheckedRegistry(schema: GraphQLSchema, file = REGISTRY_FILE): DeprecationRegistry {
  const registry = loadRegistry(file);
  const problems = checkRegistry(schema, registry);
  if (problems.length) throw new DeprecationRegistryError(`The deprecation registry and the SDL disagree:\n  ${problems.join('\n  ')}`);
  return registry;
}
