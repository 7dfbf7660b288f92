import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, type GraphQLSchema } from 'graphql';
import { LineCounter, parseDocument } from 'yaml';
import { PROJECT_ROOT } from '../projectRoot';
import { z } from 'zod';

export const REGISTRY_FILE = path.join(PROJECT_ROOT, 'schema/deprecations.yaml');

const COORDINATE = /^[A-Za-z_]\w*\.[A-Za-z_]\w*(\([A-Za-z_]\w*:\))?$/;

/** A YYYY-MM-DD that names a day of the calendar (2027-13-45 has the shape but is no day). */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

// A YAML 1.1 parser would hand an unquoted date over as a Date: read it back as its day.
const date = z.preprocess(
  (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
  z.custom<string>((value) => typeof value === 'string' && isCalendarDate(value), 'is not a date (YYYY-MM-DD)'),
);
const entrySchema = z.object({
  coordinate: z.string().regex(COORDINATE, 'must be Type.field, Type.field(arg:), Enum.VALUE or Input.field'),
  reason: z.string().min(1),
  replacement: z.string().min(1),
  deprecatedOn: date,
  removeAfter: date,
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
  return parseRegistry(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file);
}

/**
 * Parses and validates a registry's text. Every problem names `source` and where in it: the
 * line and column of broken YAML, the coordinate of an invalid entry (its index only when the
 * coordinate itself is what is wrong), so that the message leads straight to the line to fix.
 */
export function parseRegistry(text: string, source = 'deprecations.yaml'): DeprecationRegistry {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [syntaxError] = document.errors;
  if (syntaxError) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    throw new DeprecationRegistryError(`${source}:${line}:${col}: ${syntaxError.message.split('\n')[0]} (not valid YAML)`);
  }
  const data: unknown = document.toJS() ?? { deprecations: [] };
  const parsed = registrySchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${source}: ${describeIssue(data, issue)}`);
    throw new DeprecationRegistryError(problems.join('\n'));
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

/** "Order.total: removeAfter 2027-13-45 is not a date (YYYY-MM-DD)", or by path when no coordinate names the entry. */
function describeIssue(data: unknown, issue: z.core.$ZodIssue): string {
  const [list, index, field, ...rest] = issue.path;
  const entry =
    list === 'deprecations' && typeof index === 'number' ? (data as { deprecations: Array<Record<string, unknown> | null> }).deprecations[index] : undefined;
  const coordinate = entry?.coordinate;
  if (typeof field !== 'string' || rest.length > 0 || field === 'coordinate' || typeof coordinate !== 'string' || !COORDINATE.test(coordinate)) {
    return `${issue.path.join('.') || 'the document'}: ${issue.message}`;
  }
  const value = entry?.[field];
  if (value === undefined) return `${coordinate}: ${field} is missing`;
  if (issue.code !== 'custom') return `${coordinate}: ${field}: ${issue.message}`;
  return `${coordinate}: ${field} ${typeof value === 'string' ? value : JSON.stringify(value)} ${issue.message}`;
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

/** One way the SDL and the registry disagree, and how to make them agree. */
export interface RegistryDisagreement {
  coordinate: string;
  problem: string;
  remedy: string;
}

/**
 * The SDL and the registry must agree both ways: every @deprecated coordinate has an entry
 * with the same reason, and every entry names a coordinate the SDL deprecates. In coordinate
 * order, then the registry's.
 */
export function findRegistryDisagreements(schema: GraphQLSchema, registry: DeprecationRegistry): RegistryDisagreement[] {
  const inSchema = deprecatedCoordinates(schema);
  const found: RegistryDisagreement[] = [];
  for (const [coordinate, reason] of [...inSchema].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const entry = registry.get(coordinate);
    if (!entry) {
      found.push({
        coordinate,
        problem: `${coordinate} is @deprecated in the SDL but has no entry in schema/deprecations.yaml`,
        remedy: 'add one (coordinate, reason, replacement, deprecatedOn, removeAfter, owner), or remove the @deprecated',
      });
    } else if (entry.reason !== reason) {
      found.push({
        coordinate,
        problem: `${coordinate}: the registry's reason "${entry.reason}" differs from the SDL's "${reason}"`,
        remedy: 'make them the same, word for word',
      });
    }
  }
  for (const entry of registry.entries) {
    if (inSchema.has(entry.coordinate)) continue;
    found.push(
      hasCoordinate(schema, entry.coordinate)
        ? {
            coordinate: entry.coordinate,
            problem: `${entry.coordinate} has a registry entry but is not @deprecated in the SDL`,
            remedy: `deprecate it with @deprecated(reason: "${entry.reason}"), or delete the entry`,
          }
        : {
            coordinate: entry.coordinate,
            problem: `${entry.coordinate} has a registry entry but is not in the SDL`,
            remedy: 'delete the entry (a removed coordinate leaves the registry with it), or correct its coordinate',
          },
    );
  }
  return found;
}

/** The disagreements between the SDL and the registry, one sentence each (see findRegistryDisagreements). */
export function checkRegistry(schema: GraphQLSchema, registry: DeprecationRegistry): string[] {
  return findRegistryDisagreements(schema, registry).map((d) => d.problem);
}

/** Whether the schema has the field, argument, enum value or input field a coordinate names. */
function hasCoordinate(schema: GraphQLSchema, coordinate: string): boolean {
  const [, typeName, member, argument] = /^(\w+)\.(\w+)(?:\((\w+):\))?$/.exec(coordinate) ?? [];
  const type = typeName ? schema.getType(typeName) : undefined;
  if (!type || !member) return false;
  if (isEnumType(type)) return argument === undefined && type.getValue(member) !== undefined;
  if (isObjectType(type) || isInterfaceType(type)) {
    const field = type.getFields()[member];
    return field !== undefined && (argument === undefined || field.args.some((a) => a.name === argument));
  }
  return isInputObjectType(type) && argument === undefined && type.getFields()[member] !== undefined;
}

/** Loads the registry and fails, listing every disagreement and its remedy, unless it matches the SDL. */
export function loadCheckedRegistry(schema: GraphQLSchema, file = REGISTRY_FILE): DeprecationRegistry {
  const registry = loadRegistry(file);
  const disagreements = findRegistryDisagreements(schema, registry);
  if (disagreements.length) {
    throw new DeprecationRegistryError(
      `The deprecation registry and the SDL disagree:\n  ${disagreements.map((d) => `${d.problem}: ${d.remedy}.`).join('\n  ')}`,
    );
  }
  return registry;
}
