import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isUnionType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationTypeNode,
} from 'graphql';
import type { AccessRules } from '../auth/accessRules';
import type { Scope } from '../auth/scopes';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

/** What an operation's selection allows caches to do with its response, decided before execution. */
export interface CachePolicy {
  /** Seconds the response stays fresh; 0: it is not cached anywhere. */
  maxAge: number;
  /** PRIVATE when any selected field depends on the viewer's own rows. */
  scope: CacheScope;
  /**
   * The scopes the selected fields require (empty: every field is @public, and the response is
   * the same for anyone, anonymous included). Viewers holding them all see the same response:
   * the response cache's visibility class.
   */
  requiredScopes: readonly Scope[];
}

/** A coordinate's own say: a bound on maxAge (undefined: none, it inherits), and its scope. */
interface FieldHint {
  maxAge: number | undefined;
  private: boolean;
}

const NOT_CACHEABLE: CachePolicy = { maxAge: 0, scope: 'PRIVATE', requiredScopes: [] };

/**
 * Reads @cacheControl from the SDL once, as Apollo Server's cache-control plugin defines it, and
 * derives an operation's policy from the coordinates it selects (a set computed once per
 * operation and variables by the analysis): no resolver is wrapped, nothing runs per field.
 * A field's maxAge is its own hint, else its return type's; without either, a root field or a
 * field returning an object counts as 0 and a scalar field (or one that inherits) adds no bound.
 * Since the response's maxAge is the smallest of its fields', "inherits its parent's" needs no
 * path: the parent's bound is already in the minimum.
 */
export class CacheHints {
  private readonly hints = new Map<string, FieldHint>();

  constructor(
    schema: GraphQLSchema,
    private readonly accessRules: AccessRules,
  ) {
    const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        const own = hintOf(field.astNode?.directives ?? [], `${type.name}.${field.name}`);
        const returned = getNamedType(field.type);
        const ofType = isCompositeType(returned) ? hintOf(typeDirectives(returned), returned.name) : undefined;
        let maxAge: number | undefined;
        if (own?.maxAge !== undefined) maxAge = own.maxAge;
        else if (own?.inheritMaxAge) maxAge = undefined;
        else if (ofType?.maxAge !== undefined) maxAge = ofType.maxAge;
        else if (ofType?.inheritMaxAge) maxAge = undefined;
        else maxAge = isCompositeType(returned) || roots.has(type as never) ? 0 : undefined;
        this.hints.set(`${type.name}.${field.name}`, { maxAge, private: (own?.scope ?? ofType?.scope) === 'PRIVATE' });
      }
    }
  }

  /** The policy of an operation selecting these field coordinates ("Type.field"). */
  policyOf(operationType: OperationTypeNode, coordinates: ReadonlySet<string>): CachePolicy {
    if (operationType !== 'query' || coordinates.size === 0) return NOT_CACHEABLE;
    let maxAge = Number.POSITIVE_INFINITY;
    let isPrivate = false;
    const required = new Set<Scope>();
    for (const coordinate of coordinates) {
      const hint = this.hints.get(coordinate);
      if (!hint) return NOT_CACHEABLE; // not a field of the schema: execution reports it
      if (hint.maxAge !== undefined) maxAge = Math.min(maxAge, hint.maxAge);
      isPrivate ||= hint.private;
      const dot = coordinate.indexOf('.');
      const rule = this.accessRules.get(coordinate.slice(0, dot), coordinate.slice(dot + 1));
      if (rule && !rule.public) for (const scope of rule.requires) required.add(scope);
    }
    return { maxAge: Number.isFinite(maxAge) ? maxAge : 0, scope: isPrivate ? 'PRIVATE' : 'PUBLIC', requiredScopes: [...required].sort() };
  }
}

interface DirectiveHint {
  maxAge?: number;
  scope?: CacheScope;
  inheritMaxAge?: boolean;
}

function typeDirectives(type: GraphQLNamedType): readonly ConstDirectiveNode[] {
  if (!isObjectType(type) && !isInterfaceType(type) && !isUnionType(type)) return [];
  return [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []);
}

function hintOf(directives: readonly ConstDirectiveNode[], where: string): DirectiveHint | undefined {
  const directive = directives.find((d) => d.name.value === 'cacheControl');
  if (!directive) return undefined;
  const hint: DirectiveHint = {};
  for (const argument of directive.arguments ?? []) {
    const { value } = argument;
    if (argument.name.value === 'maxAge' && value.kind === Kind.INT) hint.maxAge = Number(value.value);
    if (hint.maxAge !== undefined && hint.maxAge < 0) throw new Error(`@cacheControl on ${where}: maxAge is a number of seconds, 0 or more.`);
    if (argument.name.value === 'scope' && value.kind === Kind.ENUM) hint.scope = value.value as CacheScope;
    if (argument.name.value === 'inheritMaxAge' && value.kind === Kind.BOOLEAN) hint.inheritMaxAge = value.value;
  }
  return hint;
}
