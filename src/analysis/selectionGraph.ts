import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * An operation as a graph of selection sets: each selection set of the document (of the
 * operation and of every fragment definition) becomes one node, built once, and a fragment
 * spread is an edge to its fragment's node, never a copy of it. A document of n tokens makes
 * a graph of O(n) nodes and edges however its fragments spread each other, so every analysis
 * that walks this graph once per node (memoised) is linear in the document, where walking the
 * spreads themselves would be exponential on a "fragment bomb".
 */
export interface SelectionGraph {
  operation: OperationDefinitionNode;
  root: SelectionSetInfo;
  /** Every selection set, indexed by `SelectionSetInfo.id`. */
  sets: SelectionSetInfo[];
  /** Fragment definitions by name (only those the document defines). */
  fragments: Map<string, FragmentInfo>;
  /** The selection set info of each selection set node, for rewriting the document. */
  setOfNode: Map<SelectionSetNode, SelectionSetInfo>;
  /** The field info of each field node. */
  fieldOfNode: Map<FieldNode, FieldSelection>;
  /** Whether any @skip/@include depends on a variable (otherwise variables never change what is selected). */
  hasVariableConditions: boolean;
}

export interface SelectionSetInfo {
  id: number;
  /** The type this selection set selects from (a fragment's type condition, a field's named type). */
  type: GraphQLCompositeType;
  selections: Selection[];
  /** Directives on the fragment definition that owns this set, if any (counted per spread). */
  ownDirectives: number;
}

export type Selection = FieldSelection | FragmentSelection;

export interface FieldSelection {
  kind: 'field';
  node: FieldNode;
  /** The type the field is selected on, as written (an interface for `... on Node { id }`). */
  parentType: GraphQLCompositeType;
  /** Undefined for a field the type does not have (validation reports those). */
  definition: GraphQLField<unknown, unknown> | undefined;
  /** "Type.field", the key of access rules, costs and deprecations. */
  coordinate: string;
  responseKey: string;
  children: SelectionSetInfo | undefined;
  conditions: Condition[] | undefined;
  /** Argument, enum value and input field coordinates written in this field's arguments. */
  inputCoordinates: string[];
}

/** A fragment spread or an inline fragment: an edge to a selection set, under a type condition. */
export interface FragmentSelection {
  kind: 'fragment';
  /** The fragment's name for a spread; undefined for an inline fragment. */
  name: string | undefined;
  /** Undefined for a spread of an unknown fragment (validation reports those). */
  target: SelectionSetInfo | undefined;
  /** The type condition; undefined when the inline fragment has none (the parent type applies). */
  typeCondition: GraphQLCompositeType | undefined;
  conditions: Condition[] | undefined;
  directives: number;
}

export interface FragmentInfo {
  definition: FragmentDefinitionNode;
  set: SelectionSetInfo | undefined;
}

/** An @skip or @include: fixed in the document, or read from a variable. */
export interface Condition {
  include: boolean;
  value: boolean | { variable: string };
}

export function buildSelectionGraph(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): SelectionGraph | undefined {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return undefined;
  const sets: SelectionSetInfo[] = [];
  const setOfNode = new Map<SelectionSetNode, SelectionSetInfo>();
  const fieldOfNode = new Map<FieldNode, FieldSelection>();
  const fragments = new Map<string, FragmentInfo>();
  let hasVariableConditions = false;

  const conditionsOf = (directives: readonly DirectiveNode[] | undefined): Condition[] | undefined => {
    let conditions: Condition[] | undefined;
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const argument = directive.arguments?.find((a) => a.name.value === 'if')?.value;
      if (!argument) continue;
      let value: Condition['value'];
      if (argument.kind === Kind.BOOLEAN) value = argument.value;
      else if (argument.kind === Kind.VARIABLE) {
        value = { variable: argument.name.value };
        hasVariableConditions = true;
      } else continue;
      (conditions ??= []).push({ include: name === 'include', value });
    }
    return conditions;
  };

  // Fragment nodes first, so that spreads can point at them wherever they are defined; only
  // the fragments this operation reaches (a document may hold many operations).
  const reachable = reachableFragments(document, operation);
  const pendingFragments: FragmentInfo[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.FRAGMENT_DEFINITION || fragments.has(definition.name.value) || !reachable.has(definition.name.value)) continue;
    const type = schema.getType(definition.typeCondition.name.value);
    const info: FragmentInfo = { definition, set: undefined };
    fragments.set(definition.name.value, info);
    if (type && isCompositeType(type)) {
      info.set = newSet(type, definition.directives?.length ?? 0);
      pendingFragments.push(info);
    }
  }

  function newSet(type: GraphQLCompositeType, ownDirectives = 0): SelectionSetInfo {
    const set: SelectionSetInfo = { id: sets.length, type, selections: [], ownDirectives };
    sets.push(set);
    return set;
  }

  function fill(set: SelectionSetInfo, node: SelectionSetNode): void {
    setOfNode.set(node, set);
    for (const selection of node.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const definition = fieldDefinition(schema, set.type, name);
        const named = definition ? getNamedType(definition.type) : undefined;
        let children: SelectionSetInfo | undefined;
        if (selection.selectionSet && named && isCompositeType(named)) {
          children = newSet(named);
          fill(children, selection.selectionSet);
        }
        const field: FieldSelection = {
          kind: 'field',
          node: selection,
          parentType: set.type,
          definition,
          coordinate: `${set.type.name}.${name}`,
          responseKey: selection.alias?.value ?? name,
          children,
          conditions: conditionsOf(selection.directives),
          inputCoordinates: definition ? argumentCoordinates(set.type.name, definition, selection) : [],
        };
        fieldOfNode.set(selection, field);
        set.selections.push(field);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : undefined;
        if (selection.typeCondition && !(condition && isCompositeType(condition))) continue;
        const target = newSet(condition && isCompositeType(condition) ? condition : set.type);
        fill(target, selection.selectionSet);
        set.selections.push({
          kind: 'fragment',
          name: undefined,
          target,
          typeCondition: condition && isCompositeType(condition) ? condition : undefined,
          conditions: conditionsOf(selection.directives),
          directives: selection.directives?.length ?? 0,
        });
      } else {
        const fragment = fragments.get(selection.name.value);
        set.selections.push({
          kind: 'fragment',
          name: selection.name.value,
          target: fragment?.set,
          typeCondition: fragment?.set?.type,
          conditions: conditionsOf(selection.directives),
          directives: selection.directives?.length ?? 0,
        });
      }
    }
  }

  for (const info of pendingFragments) fill(info.set!, info.definition.selectionSet);
  const root = newSet(rootType, 0);
  fill(root, operation.selectionSet);
  return { operation, root, sets, fragments, setOfNode, fieldOfNode, hasVariableConditions };
}

/** The names of the fragments an operation spreads, directly or through other fragments: each definition read once. */
function reachableFragments(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !definitions.has(definition.name.value)) definitions.set(definition.name.value, definition);
  }
  const reached = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  while (pending.length) {
    for (const selection of pending.pop()!.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const definition = definitions.get(name);
        if (!reached.has(name) && definition) {
          reached.add(name);
          pending.push(definition.selectionSet);
        }
      } else if (selection.selectionSet) {
        pending.push(selection.selectionSet);
      }
    }
  }
  return reached;
}

/** The field a selection names on `parent`, including the meta fields graphql-js resolves itself. */
export function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** Whether a selection applies, given the variables (coerced) of the request. */
export function isIncluded(conditions: Condition[] | undefined, variables: Readonly<Record<string, unknown>>): boolean {
  if (!conditions) return true;
  for (const condition of conditions) {
    const value = typeof condition.value === 'boolean' ? condition.value : variables[condition.value.variable];
    if (typeof value !== 'boolean') continue; // an invalid variable: coercion reports it
    if (value !== condition.include) return false;
  }
  return true;
}

/**
 * The argument, enum value and input field coordinates written literally in a field's
 * arguments: `Type.field(arg:)`, `Enum.VALUE`, `Input.field`. Values passed in variables are
 * read per request (see operationAnalysis).
 */
function argumentCoordinates(parentName: string, field: GraphQLField<unknown, unknown>, node: FieldNode): string[] {
  const found: string[] = [];
  for (const argument of node.arguments ?? []) {
    found.push(`${parentName}.${field.name}(${argument.name.value}:)`);
    const definition = field.args.find((a) => a.name === argument.name.value);
    if (definition) collectLiteralCoordinates(argument.value, definition.type, found);
  }
  return found;
}

/** Enum values and input fields written in a literal of `type`, iteratively (a literal may be deep). */
export function collectLiteralCoordinates(value: ValueNode, type: GraphQLInputType, found: string[]): void {
  const stack: Array<[ValueNode, GraphQLInputType]> = [[value, type]];
  while (stack.length) {
    const [node, inputType] = stack.pop()!;
    const nullable = isNonNullType(inputType) ? inputType.ofType : inputType;
    if (node.kind === Kind.LIST) {
      const itemType = isListType(nullable) ? nullable.ofType : nullable;
      for (const item of node.values) stack.push([item, itemType]);
    } else if (isListType(nullable)) {
      stack.push([node, nullable.ofType]); // a single value given for a list is coerced as a one-item list
    } else if (node.kind === Kind.ENUM && isEnumType(nullable)) {
      found.push(`${nullable.name}.${node.value}`);
    } else if (node.kind === Kind.OBJECT && isInputObjectType(nullable)) {
      const fields = nullable.getFields();
      for (const objectField of node.fields) {
        found.push(`${nullable.name}.${objectField.name.value}`);
        const fieldType = fields[objectField.name.value]?.type;
        if (fieldType) stack.push([objectField.value, fieldType]);
      }
    }
  }
}
