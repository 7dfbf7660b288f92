import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNamedType,
  isNonNullType,
  isListType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  isCompositeType,
} from 'graphql';
import { findOperation } from '../findOperation';
import { isAllowed, type AccessRules } from './accessRules';
import type { Scope } from './scopes';

/** One field the viewer may not read, at one place in the query. */
export interface Denial {
  /** Response keys from the root to the denied field, with each field's type. */
  path: ReadonlyArray<{ key: string; type: GraphQLOutputType }>;
  code: 'FORBIDDEN' | 'UNAUTHENTICATED';
  message: string;
}

export interface AuthorizationPlan {
  /** The operation without the denied fields: what executes. Unchanged when nothing is denied. */
  document: DocumentNode;
  denials: Denial[];
}

/** Stands in for a selection set that lost all its fields; removed from the response. */
export const PLACEHOLDER_KEY = '__authzPlaceholder';

export interface PlanInput {
  schema: GraphQLSchema;
  rules: AccessRules;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  /** The viewer's scopes; undefined for anonymous. */
  scopes: ReadonlySet<Scope> | undefined;
}

/**
 * Decides, before execution and once per request, which selected fields the viewer may not
 * read (per the SDL's @auth/@public), and removes them from the document, so that no resolver
 * or loader runs for them. The denials say where to put null and an error in the response.
 */
export function planAuthorization(input: PlanInput): AuthorizationPlan {
  const { schema, rules, document, scopes } = input;
  const isDenied = (parent: GraphQLCompositeType, fieldName: string) => {
    if (fieldName.startsWith('__')) return false;
    const rule = rules.get(parent.name, fieldName);
    return !rule || !isAllowed(rule, scopes);
  };
  const denials = collectDenials(input, isDenied);
  if (denials.length === 0) return { document, denials };

  const typeInfo = new TypeInfo(schema);
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        const parent = typeInfo.getParentType();
        return parent && isDenied(parent, node.name.value) ? null : undefined;
      },
      SelectionSet: {
        leave(node: SelectionSetNode) {
          if (node.selections.length > 0) return undefined;
          const placeholder: FieldNode = {
            kind: Kind.FIELD,
            alias: { kind: Kind.NAME, value: PLACEHOLDER_KEY },
            name: { kind: Kind.NAME, value: '__typename' },
          };
          return { ...node, selections: [placeholder] };
        },
      },
    }),
  );
  return { document: rewritten, denials };
}

function collectDenials(
  { schema, rules, document, operationName, variables, scopes }: PlanInput,
  isDenied: (parent: GraphQLCompositeType, fieldName: string) => boolean,
): Denial[] {
  const operation = findOperation(document, operationName);
  if (!operation) return [];
  const root = schema.getRootType(operation.operation);
  if (!root) return [];
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const denials = new Map<string, Denial>();
  const isIncluded = (node: FieldNode | { directives?: FieldNode['directives'] }) => {
    const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, variables);
    const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, variables);
    return skip?.if !== true && include?.if !== false;
  };

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: Denial['path'], fragmentTrail: ReadonlySet<string>) => {
    for (const selection of selectionSet.selections) {
      if (!isIncluded(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__') || !('getFields' in parent)) continue;
        const field = parent.getFields()[name];
        if (!field) continue;
        const fieldPath = [...path, { key: selection.alias?.value ?? name, type: field.type }];
        if (isDenied(parent, name)) {
          const rule = rules.get(parent.name, name);
          const needs = rule && !rule.public ? rule.requires.join(', ') : 'an access rule';
          const anonymous = scopes === undefined;
          denials.set(fieldPath.map((p) => p.key).join('.'), {
            path: fieldPath,
            code: anonymous ? 'UNAUTHENTICATED' : 'FORBIDDEN',
            message: anonymous
              ? `Authentication required: ${parent.name}.${name} needs ${needs}.`
              : `Not authorized: ${parent.name}.${name} needs ${needs}.`,
          });
        } else if (selection.selectionSet) {
          const named = getNamedType(field.type);
          if (isCompositeType(named)) walk(selection.selectionSet, named, fieldPath, fragmentTrail);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) walk(selection.selectionSet, type, path, fragmentTrail);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || fragmentTrail.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        if (type && isCompositeType(type)) walk(fragment.selectionSet, type, path, new Set([...fragmentTrail, name]));
      }
    }
  };
  walk(operation.selectionSet, root, [], new Set());
  return [...denials.values()];
}

export interface ResponseError {
  message: string;
  path: Array<string | number>;
  extensions: { code: string };
}

/**
 * Puts each denied field back into `data` as null, with an error at its concrete path (list
 * indexes included), propagating null through non-null fields as execution would have.
 * Returns the possibly-null new root data.
 */
export function applyDenials(
  data: Record<string, unknown> | null,
  denials: readonly Denial[],
  errors: ResponseError[],
): Record<string, unknown> | null {
  if (!data) return data;
  let nullRoot = false;
  for (const denial of denials) {
    if (denyIn(data, denial, 0, [], errors)) nullRoot = true;
  }
  return nullRoot ? null : data;
}

/** Returns true when `object` itself must become null (a non-null field in it was nulled). */
function denyIn(object: Record<string, unknown>, denial: Denial, depth: number, path: Array<string | number>, errors: ResponseError[]): boolean {
  delete object[PLACEHOLDER_KEY];
  const { key, type } = denial.path[depth]!;
  if (depth === denial.path.length - 1) {
    object[key] = null;
    errors.push({ message: denial.message, path: [...path, key], extensions: { code: denial.code } });
    return isNonNullType(type);
  }
  const value = object[key];
  if (value == null) return false;
  if (denyInValue(value, type, denial, depth, [...path, key], errors)) {
    object[key] = null;
    return isNonNullType(type);
  }
  return false;
}

function denyInValue(value: unknown, type: GraphQLOutputType, denial: Denial, depth: number, path: Array<string | number>, errors: ResponseError[]): boolean {
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) {
    const items = value as unknown[];
    let nullList = false;
    items.forEach((item, index) => {
      if (item == null) return;
      if (denyInValue(item, nullable.ofType, denial, depth, [...path, index], errors)) {
        items[index] = null;
        if (isNonNullType(nullable.ofType)) nullList = true;
      }
    });
    return nullList;
  }
  return denyIn(value as Record<string, unknown>, denial, depth + 1, path, errors);
}
