import {
  BreakingChangeType,
  DangerousChangeType,
  findBreakingChanges,
  findDangerousChanges,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLScalarType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { buildAccessRules, type AccessRule } from '../auth/accessRules';
import { buildCostModel } from '../complexity/costModel';
import { BREAKING_ADVICE } from './breakingAdvice';
import { inputFieldDefaultChanges } from './inputFieldDefaultChanges';
import { schemaRootChanges } from './schemaRootChanges';
import { typeSystemDirectiveRemoval } from './typeSystemDirectiveRemovals';

export type Severity = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  severity: Severity;
  kind: string;
  /** The schema coordinate concerned, when there is one. */
  coordinate: string | null;
  message: string;
}

/**
 * Every difference between two schemas, classified. graphql-js decides what breaks a client
 * (removals; type changes; stricter inputs, since stricter outputs are safe; new required
 * arguments and input fields; interface and union membership) and what is dangerous (argument
 * default values, new enum values and optional inputs), except that removing a directive, or
 * a location, that only the schema's own definitions could use breaks no client: dangerous.
 * Input-field defaults and schema roots, which graphql-js does not compare, are compared here.
 * Additions and deprecations are safe. Access rules are compared separately, per client operation (see
 * checkOperations).
 */
export function classifyChanges(base: GraphQLSchema, next: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const change of findBreakingChanges(base, next)) {
    const reclassified = typeSystemDirectiveRemoval(change, base);
    if (reclassified) {
      changes.push(reclassified);
      continue;
    }
    const coordinate = coordinateOf(change.type, change.description);
    const judgedByPolicy = isJudgedByDeprecationPolicy({ kind: change.type, coordinate });
    const message = judgedByPolicy ? change.description : `${change.description} ${BREAKING_ADVICE[change.type]}`;
    changes.push({ severity: 'breaking', kind: change.type, coordinate, message });
  }
  for (const change of findDangerousChanges(base, next)) {
    changes.push({ severity: 'dangerous', kind: change.type, coordinate: coordinateOf(change.type, change.description), message: change.description });
  }
  changes.push(...inputFieldDefaultChanges(base, next));
  changes.push(...schemaRootChanges(base, next));
  changes.push(...safeChanges(base, next, changes));
  return changes;
}

/** The removals the deprecation policy can allow: coordinates a client could have used. */
export const REMOVAL_KINDS: ReadonlySet<string> = new Set([
  BreakingChangeType.FIELD_REMOVED,
  BreakingChangeType.VALUE_REMOVED_FROM_ENUM,
  BreakingChangeType.ARG_REMOVED,
]);

/** runCheck judges these removals by the registry and usage, and its verdict is their advice. */
export function isJudgedByDeprecationPolicy<C extends Pick<SchemaChange, 'kind' | 'coordinate'>>(change: C): change is C & { coordinate: string } {
  return REMOVAL_KINDS.has(change.kind) && change.coordinate !== null;
}

function coordinateOf(kind: string, description: string): string | null {
  let m: RegExpExecArray | null;
  switch (kind) {
    case BreakingChangeType.FIELD_REMOVED:
    case BreakingChangeType.FIELD_CHANGED_KIND:
      return /^(\w+\.\w+)/.exec(description)?.[1] ?? null;
    case BreakingChangeType.VALUE_REMOVED_FROM_ENUM:
      m = /^(\w+) was removed from enum type (\w+)/.exec(description);
      return m ? `${m[2]}.${m[1]}` : null;
    case DangerousChangeType.VALUE_ADDED_TO_ENUM:
      m = /^(\w+) was added to enum type (\w+)/.exec(description);
      return m ? `${m[2]}.${m[1]}` : null;
    case BreakingChangeType.ARG_REMOVED:
    case BreakingChangeType.ARG_CHANGED_KIND:
    case BreakingChangeType.REQUIRED_ARG_ADDED:
    case DangerousChangeType.OPTIONAL_ARG_ADDED:
    case DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE:
      m = /^(\w+\.\w+) arg (\w+)/.exec(description);
      if (m) return `${m[1]}(${m[2]}:)`;
      m = /arg (\w+) on (\w+\.\w+) was added/.exec(description);
      return m ? `${m[2]}(${m[1]}:)` : null;
    case BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED:
    case DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED:
      m = /field (\w+) on input type (\w+)/.exec(description);
      return m ? `${m[2]}.${m[1]}` : null;
    case BreakingChangeType.DIRECTIVE_REMOVED:
      m = /^(\w+) was removed\.$/.exec(description);
      return m ? `@${m[1]}` : null;
    case BreakingChangeType.DIRECTIVE_LOCATION_REMOVED:
    case BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED:
      m = /was removed from (\w+)\.$/.exec(description);
      return m ? `@${m[1]}` : null;
    case BreakingChangeType.DIRECTIVE_ARG_REMOVED:
      m = /^(\w+) was removed from (\w+)\.$/.exec(description);
      return m ? `@${m[2]}(${m[1]}:)` : null;
    case BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED:
      m = /arg (\w+) on directive (\w+)/.exec(description);
      return m ? `@${m[2]}(${m[1]}:)` : null;
    case DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED:
      return /implemented by (\w+)/.exec(description)?.[1] ?? null;
    default:
      return /^(\w+)/.exec(description)?.[1] ?? null;
  }
}

function safeChanges(base: GraphQLSchema, next: GraphQLSchema, reported: readonly SchemaChange[]): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const baseTypes = base.getTypeMap();
  const retypedFields = new Set(reported.filter((c) => c.kind === BreakingChangeType.FIELD_CHANGED_KIND && c.coordinate).map((c) => c.coordinate));
  for (const type of Object.values(next.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    const before = baseTypes[type.name];
    if (!before) {
      if (isScalarType(type) && isOnlyANewFieldType(type, next, retypedFields)) continue;
      changes.push({ severity: 'safe', kind: 'TYPE_ADDED', coordinate: type.name, message: `${type.name} was added.` });
      continue;
    }
    if (
      (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) &&
      (isObjectType(before) || isInterfaceType(before) || isInputObjectType(before))
    ) {
      const oldFields = before.getFields();
      for (const field of Object.values(type.getFields())) {
        const old = oldFields[field.name];
        const coordinate = `${type.name}.${field.name}`;
        if (!old) {
          if (!isInputObjectType(type)) changes.push({ severity: 'safe', kind: 'FIELD_ADDED', coordinate, message: `${coordinate} was added.` });
          continue;
        }
        if (!isInputObjectType(type) && String(old.type) !== String(field.type) && String(field.type) === `${String(old.type)}!`) {
          changes.push({
            severity: 'safe',
            kind: 'FIELD_TYPE_STRICTER',
            coordinate,
            message: `${coordinate} changed type from ${String(old.type)} to ${String(field.type)} (a stricter output).`,
          });
        }
        if (!('deprecationReason' in old && old.deprecationReason) && 'deprecationReason' in field && field.deprecationReason) {
          changes.push({ severity: 'safe', kind: 'FIELD_DEPRECATED', coordinate, message: `${coordinate} was deprecated: ${field.deprecationReason}` });
        }
      }
    }
    if (isEnumType(type) && isEnumType(before)) {
      for (const value of type.getValues()) {
        const old = before.getValue(value.name);
        if (old && !old.deprecationReason && value.deprecationReason) {
          changes.push({
            severity: 'safe',
            kind: 'ENUM_VALUE_DEPRECATED',
            coordinate: `${type.name}.${value.name}`,
            message: `${type.name}.${value.name} was deprecated: ${value.deprecationReason}`,
          });
        }
      }
    }
  }
  return changes;
}

/**
 * Whether a new scalar appears only as the new type of fields whose type change is already
 * reported (Order.total: Int -> Money), where a separate "Money was added" is noise. Narrow on
 * purpose: any other new type, or a scalar also used by an argument, a directive argument or a
 * field whose type change is not reported (a new field), is still listed as added.
 */
function isOnlyANewFieldType(scalar: GraphQLScalarType, schema: GraphQLSchema, retypedFields: ReadonlySet<string | null>): boolean {
  const uses = (type: GraphQLType) => getNamedType(type) === scalar;
  if (schema.getDirectives().some((d) => d.args.some((a) => uses(a.type)))) return false;
  let used = false;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
    for (const field of Object.values<GraphQLField<unknown, unknown> | GraphQLInputField>(type.getFields())) {
      if ('args' in field && field.args.some((a) => uses(a.type))) return false;
      if (!uses(field.type)) continue;
      if (!retypedFields.has(`${type.name}.${field.name}`)) return false;
      used = true;
    }
  }
  return used;
}

/** How each field's effective access rule changed: `tightened` needs scopes the base did not. */
export function accessRuleChanges(base: GraphQLSchema, next: GraphQLSchema): Map<string, { before: AccessRule; after: AccessRule; tightened: boolean }> {
  const before = buildAccessRules(base);
  const after = buildAccessRules(next);
  const changes = new Map<string, { before: AccessRule; after: AccessRule; tightened: boolean }>();
  for (const type of Object.values(next.getTypeMap())) {
    if (isIntrospectionType(type) || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const old = before.get(type.name, field.name);
      const now = after.get(type.name, field.name);
      if (!old || !now || describeRule(old) === describeRule(now)) continue;
      const oldScopes: readonly string[] = old.public ? [] : old.requires;
      const tightened = !now.public && (old.public || now.requires.some((scope) => !oldScopes.includes(scope)));
      changes.set(`${type.name}.${field.name}`, { before: old, after: now, tightened });
    }
  }
  return changes;
}

export function describeRule(rule: AccessRule): string {
  return rule.public ? '@public' : `@auth(${rule.requires.join(', ')})`;
}

/**
 * Changes of the directives that govern access and cost, which graphql-js does not compare:
 * dangerous in themselves (a loosened rule exposes data; a new cost can refuse or throttle a
 * client); breaking for the client operations they affect, which checkOperations judges.
 */
export function policyChanges(base: GraphQLSchema, next: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  let rules: ReturnType<typeof accessRuleChanges> = new Map();
  try {
    rules = accessRuleChanges(base, next);
  } catch {
    // A base from before access rules existed: nothing to compare.
  }
  for (const [coordinate, change] of rules) {
    const verb = change.tightened ? 'tightened' : 'loosened';
    changes.push({
      severity: 'dangerous',
      kind: change.tightened ? 'ACCESS_TIGHTENED' : 'ACCESS_LOOSENED',
      coordinate,
      message: `${coordinate}: access ${verb} from ${describeRule(change.before)} to ${describeRule(change.after)}.`,
    });
  }
  const before = buildCostModel(base);
  const after = buildCostModel(next);
  const keys = new Set([...before.fieldWeights.keys(), ...after.fieldWeights.keys(), ...before.listSizes.keys(), ...after.listSizes.keys()]);
  for (const coordinate of [...keys].sort()) {
    if (!next.getType(coordinate.split('.')[0]!)) continue;
    const was = JSON.stringify({ cost: before.fieldWeights.get(coordinate), listSize: before.listSizes.get(coordinate) });
    const now = JSON.stringify({ cost: after.fieldWeights.get(coordinate), listSize: after.listSizes.get(coordinate) });
    if (was !== now)
      changes.push({ severity: 'dangerous', kind: 'COST_CHANGED', coordinate, message: `${coordinate}: cost directives changed from ${was} to ${now}.` });
  }
  return changes;
}
