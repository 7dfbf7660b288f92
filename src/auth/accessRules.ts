import {
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { SCOPES, scopeToEnumValue, type Scope } from './scopes';

/** Who may read a field: anyone, or viewers holding every scope listed. */
export type AccessRule = { public: true } | { public: false; requires: readonly Scope[] };

/** The effective rule of every field of every object and interface type, by "Type.field". */
export interface AccessRules {
  get(typeName: string, fieldName: string): AccessRule | undefined;
  /** The type-level rule, which node(id:) applies to the object it returns. */
  ofType(typeName: string): AccessRule | undefined;
}

export class MissingAccessRulesError extends Error {
  override readonly name = 'MissingAccessRulesError';
}

const PUBLIC: AccessRule = { public: true };
const scopeByEnumValue = new Map(SCOPES.map((scope) => [scopeToEnumValue(scope), scope]));

/**
 * Reads @auth and @public from the SDL. Deny by default: a field with neither directive, on a
 * type with neither, is an error listing every such field, so that no field is ever exposed
 * by omission.
 */
export function buildAccessRules(schema: GraphQLSchema): AccessRules {
  const fieldRules = new Map<string, AccessRule>();
  const typeRules = new Map<string, AccessRule>();
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || !(isObjectType(type) || isInterfaceType(type))) continue;
    const typeRule = ruleOf(typeDirectives(type), type.name);
    if (typeRule) typeRules.set(type.name, typeRule);
    for (const field of Object.values(type.getFields())) {
      const rule = ruleOf(field.astNode?.directives ?? [], `${type.name}.${field.name}`) ?? typeRule;
      if (rule) fieldRules.set(`${type.name}.${field.name}`, rule);
      else missing.push(`${type.name}.${field.name}`);
    }
  }
  if (missing.length) {
    throw new MissingAccessRulesError(
      `Every field needs an access rule: add @auth(requires: [...]) or @public to these fields or their types:\n  ${missing.join('\n  ')}`,
    );
  }
  return {
    get: (typeName, fieldName) => (fieldName === '__typename' ? PUBLIC : fieldRules.get(`${typeName}.${fieldName}`)),
    ofType: (typeName) => typeRules.get(typeName),
  };
}

export function isAllowed(rule: AccessRule, scopes: ReadonlySet<Scope> | undefined): boolean {
  return rule.public || (scopes !== undefined && rule.requires.every((scope) => scopes.has(scope)));
}

function typeDirectives(type: GraphQLObjectType | GraphQLInterfaceType): readonly ConstDirectiveNode[] {
  return [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []);
}

function ruleOf(directives: readonly ConstDirectiveNode[], coordinate: string): AccessRule | undefined {
  const auth = directives.find((d) => d.name.value === 'auth');
  const isPublic = directives.some((d) => d.name.value === 'public');
  if (auth && isPublic) throw new MissingAccessRulesError(`${coordinate} has both @auth and @public: choose one.`);
  if (isPublic) return PUBLIC;
  if (!auth) return undefined;
  const requires = auth.arguments?.find((a) => a.name.value === 'requires')?.value;
  const values = requires?.kind === Kind.LIST ? requires.values : requires ? [requires] : [];
  const scopes = values.map((v) => (v.kind === Kind.ENUM ? scopeByEnumValue.get(v.value) : undefined));
  if (scopes.length === 0 || scopes.some((s) => s === undefined)) {
    throw new MissingAccessRulesError(`${coordinate}: @auth needs a non-empty list of Scope values.`);
  }
  return { public: false, requires: scopes as Scope[] };
}
