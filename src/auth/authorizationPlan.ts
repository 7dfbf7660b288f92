import {
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type SelectionSetNode,
} from 'graphql';
import type { OperationAnalysis, VariablesAnalysis } from '../analysis/operationAnalysis';
import { ErrorCode } from '../errors';
import { forEachResponseObject } from '../pipeline/responseObjects';
import { isIncluded, type FieldSelection, type SelectionSetInfo } from '../analysis/selectionGraph';
import { isAllowed, type AccessRules } from './accessRules';
import type { Scope } from './scopes';

/** Stands in for a selection set that lost all its fields; removed from the response. */
export const PLACEHOLDER_KEY = '__authzPlaceholder';
/** The runtime type of an object of an abstract type, read to place denials; removed from the response. */
export const TYPE_MARKER_KEY = '__authzTypename';

/** What a denied field answers with, at each place it would have been. */
export interface Denial {
  code: typeof ErrorCode.FORBIDDEN | typeof ErrorCode.UNAUTHENTICATED;
  message: string;
}

export interface AuthorizationPlan {
  /** Denied field coordinates ("Type.field"), with their errors. Empty: the operation runs as sent. */
  denied: ReadonlyMap<string, Denial>;
  /** What executes: the document without the denied fields, with type markers when asked for. */
  document: DocumentNode;
  /** The executed document carries TYPE_MARKER_KEY on objects of abstract types. */
  marksTypes: boolean;
}

/**
 * Decides, before execution and from the operation's analysis alone, which selected fields
 * the viewer may not read (per the SDL's @auth/@public): a set of coordinates, never a walk of
 * the document per request. The document without them is built once per set of denials and
 * cached with the analysis, so that no resolver or loader runs for a denied field.
 * `markTypes` asks for type markers on abstract selections even without denials: an
 * idempotent mutation's stored response needs them to be re-authorized when replayed.
 */
export function planAuthorization(
  rules: AccessRules,
  request: VariablesAnalysis,
  scopes: ReadonlySet<Scope> | undefined,
  { markTypes = false }: { markTypes?: boolean } = {},
): AuthorizationPlan {
  const { analysis } = request;
  const denied = new Map<string, Denial>();
  for (const coordinate of request.coordinates.fields) {
    const dot = coordinate.indexOf('.');
    const rule = rules.get(coordinate.slice(0, dot), coordinate.slice(dot + 1));
    if (rule && isAllowed(rule, scopes)) continue;
    const needs = rule && !rule.public ? rule.requires.join(', ') : 'an access rule';
    denied.set(
      coordinate,
      scopes === undefined
        ? { code: ErrorCode.UNAUTHENTICATED, message: `Authentication required: ${coordinate} needs ${needs}.` }
        : { code: ErrorCode.FORBIDDEN, message: `Not authorized: ${coordinate} needs ${needs}.` },
    );
  }
  const marksTypes = markTypes || denied.size > 0;
  if (!marksTypes) return { denied, document: analysis.document, marksTypes };
  const key = `authz:${[...denied.keys()].sort().join(',')}`;
  const document = analysis.cached(key, () => narrowDocument(analysis, denied));
  return { denied, document, marksTypes };
}

/** The document without the denied fields; an emptied selection set keeps a placeholder; abstract ones get a type marker. */
function narrowDocument(analysis: OperationAnalysis, denied: ReadonlyMap<string, Denial>): DocumentNode {
  const { graph } = analysis;
  const marker = (alias: string): FieldNode => ({
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: alias },
    name: { kind: Kind.NAME, value: '__typename' },
  });
  return visit(analysis.document, {
    Field(node: FieldNode) {
      const field = graph.fieldOfNode.get(node);
      return field && denied.has(field.coordinate) ? null : undefined;
    },
    SelectionSet: {
      // Looked up on entering: on leaving, a set whose fields were edited is a new node.
      enter(node: SelectionSetNode) {
        const set = graph.setOfNode.get(node);
        return set && isAbstractType(set.type) ? { ...node, selections: [...node.selections, marker(TYPE_MARKER_KEY)] } : undefined;
      },
      leave(node: SelectionSetNode) {
        return node.selections.length === 0 ? { ...node, selections: [marker(PLACEHOLDER_KEY)] } : undefined;
      },
    },
  });
}

export interface ResponseError {
  message: string;
  path: Array<string | number>;
  extensions: { code: string };
}

/**
 * Puts each denied field back into `data` as null, with an error at each concrete path (list
 * indexes included), propagating null through non-null fields as execution would have. It
 * reads the response with the operation's selection graph, collecting each object's fields as
 * graphql-js execution does (a fragment once per object), so it costs what execution cost.
 * Errors already in `existing` (a replayed response) are not repeated. Returns the new root
 * data: null when a denied non-null root field nulls it.
 */
export function applyDenials(
  data: Record<string, unknown> | null | undefined,
  plan: AuthorizationPlan,
  request: VariablesAnalysis,
  existing: ReadonlyArray<{ path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }> = [],
): { data: Record<string, unknown> | null | undefined; errors: ResponseError[] } {
  const errors: ResponseError[] = [];
  if (!data || plan.denied.size === 0) return { data, errors };
  const { analysis, variables } = request;
  const { schema } = analysis;
  const reported = new Set(existing.map((e) => `${e.extensions?.code}:${JSON.stringify(e.path ?? [])}`));
  const path: Array<string | number> = [];

  const applies = (condition: GraphQLCompositeType | undefined, runtime: GraphQLObjectType | undefined) =>
    !condition || !runtime || condition === runtime || (isAbstractType(condition) && schema.isSubType(condition, runtime));

  /** Returns true when `object` itself must become null (a non-null field in it was nulled). */
  const walkObject = (object: Record<string, unknown>, sets: readonly SelectionSetInfo[], runtime: GraphQLObjectType | undefined): boolean => {
    delete object[PLACEHOLDER_KEY];
    const fields = new Map<string, FieldSelection[]>();
    const visited = new Set<number>();
    const collect = (set: SelectionSetInfo) => {
      for (const selection of set.selections) {
        if (!isIncluded(selection.conditions, variables)) continue;
        if (selection.kind === 'field') {
          const same = fields.get(selection.responseKey);
          if (same) same.push(selection);
          else fields.set(selection.responseKey, [selection]);
        } else if (selection.target && !visited.has(selection.target.id) && applies(selection.typeCondition, runtime)) {
          visited.add(selection.target.id);
          collect(selection.target);
        }
      }
    };
    for (const set of sets) collect(set);
    let nullObject = false;
    for (const [key, selections] of fields) {
      const first = selections[0]!;
      if (!first.definition || key.startsWith('__authz')) continue;
      path.push(key);
      const denial = selections.map((s) => plan.denied.get(s.coordinate)).find(Boolean);
      if (denial) {
        object[key] = null;
        const id = `${denial.code}:${JSON.stringify(path)}`;
        if (!reported.has(id)) {
          reported.add(id);
          errors.push({ message: denial.message, path: [...path], extensions: { code: denial.code } });
        }
        if (isNonNullType(first.definition.type)) nullObject = true;
      } else {
        const children = selections.flatMap((s) => (s.children ? [s.children] : []));
        if (children.length && walkValue(object[key], first.definition.type, children)) {
          object[key] = null;
          if (isNonNullType(first.definition.type)) nullObject = true;
        }
      }
      path.pop();
    }
    return nullObject;
  };

  const walkValue = (value: unknown, type: GraphQLOutputType, sets: readonly SelectionSetInfo[]): boolean => {
    if (value === null || value === undefined || typeof value !== 'object') return false;
    const nullable = isNonNullType(type) ? type.ofType : type;
    if (isListType(nullable)) {
      const items = value as unknown[];
      let nullList = false;
      for (let index = 0; index < items.length; index++) {
        path.push(index);
        if (walkValue(items[index], nullable.ofType, sets)) {
          items[index] = null;
          if (isNonNullType(nullable.ofType)) nullList = true;
        }
        path.pop();
      }
      return nullList;
    }
    const object = value as Record<string, unknown>;
    let runtime: GraphQLObjectType | undefined;
    if (isObjectType(nullable)) runtime = nullable;
    else {
      const named = typeof object[TYPE_MARKER_KEY] === 'string' ? schema.getType(object[TYPE_MARKER_KEY] as string) : undefined;
      runtime = named && isObjectType(named) ? named : undefined;
    }
    return walkObject(object, sets, runtime);
  };

  const rootType = schema.getRootType(analysis.operationType)!;
  const nullRoot = walkObject(data, [analysis.graph.root], rootType);
  return { data: nullRoot ? null : data, errors };
}

/** Removes the keys the narrowed document added (placeholders, type markers) from a response. */
export function stripAuthorizationMarkers(value: unknown): void {
  forEachResponseObject(value, (object) => {
    delete object[PLACEHOLDER_KEY];
    delete object[TYPE_MARKER_KEY];
  });
}
