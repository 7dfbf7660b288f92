import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { findOperation } from '../findOperation';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/** Defaults agreed by Apollo's demand control and Shopify: object 1, leaf 0, mutation 10. */
const OBJECT_COST = 1;
const LEAF_COST = 0;
const MUTATION_COST = 10;
/** For a list without @listSize: the page size a client gets by default. */
const DEFAULT_LIST_SIZE = 20;
/** Selections visited per estimate before giving up (a fragment bomb): the operation is too complex. */
export const MAX_VISITED_SELECTIONS = 50_000;

export class TooManySelectionsError extends Error {
  override readonly name = 'TooManySelectionsError';
}

interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

/** The @cost and @listSize declarations of a schema, read once. */
export interface CostModel {
  schema: GraphQLSchema;
  fieldWeights: Map<string, number>;
  typeWeights: Map<string, number>;
  listSizes: Map<string, ListSize>;
}

export function buildCostModel(schema: GraphQLSchema): CostModel {
  const model: CostModel = { schema, fieldWeights: new Map(), typeWeights: new Map(), listSizes: new Map() };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    const weight = costOf([type.astNode, ...(type.extensionASTNodes ?? [])].flatMap((n) => n?.directives ?? []));
    if (weight !== undefined) model.typeWeights.set(type.name, weight);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const directives = field.astNode?.directives ?? [];
      const fieldWeight = costOf(directives);
      if (fieldWeight !== undefined) model.fieldWeights.set(`${type.name}.${field.name}`, fieldWeight);
      const listSize = directives.find((d) => d.name.value === 'listSize');
      if (listSize) model.listSizes.set(`${type.name}.${field.name}`, argumentsOf(listSize) as ListSize);
    }
  }
  return model;
}

/**
 * The estimated cost of one operation with its variables: graphql-query-complexity walks it
 * (fragments, @skip/@include, variables) and this model prices each field, as the IBM cost
 * specification does: (weight + children) times the list size, where a connection's size
 * (first/last) applies to its `edges`.
 */
export function estimateCost(
  model: CostModel,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  const sized = sizedFieldMultipliers(model, document, operationName, variables ?? {});
  const mutationType = model.schema.getMutationType();
  const estimator: ComplexityEstimator = ({ type, field, node, args, childComplexity }) => {
    const named = getNamedType(field.type);
    const weight =
      model.fieldWeights.get(`${type.name}.${field.name}`) ??
      model.typeWeights.get(named.name) ??
      (type === mutationType ? MUTATION_COST : isCompositeType(named) ? OBJECT_COST : LEAF_COST);
    const size = sized.get(node) ?? (isList(field.type) ? listSizeOf(model.listSizes.get(`${type.name}.${field.name}`), args) : 1);
    return size * (weight + childComplexity);
  };
  return getComplexity({
    schema: model.schema,
    query: document,
    variables: variables ?? {},
    ...(operationName ? { operationName } : {}),
    estimators: [estimator],
    maxQueryNodes: MAX_VISITED_SELECTIONS,
  });
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function listSizeOf(listSize: ListSize | undefined, args: Record<string, unknown>): number {
  const given = (listSize?.slicingArguments ?? [])
    .map((name) => args[name])
    .filter((value) => value !== undefined && value !== null)
    .map((value) => (Array.isArray(value) ? value.length : Number(value)));
  if (given.length) return Math.max(...given);
  return listSize?.assumedSize ?? DEFAULT_LIST_SIZE;
}

/**
 * For each child field named in a parent's @listSize(sizedFields:), the size the parent's
 * slicing arguments give it (a connection's first: 50 makes its edges cost 50 times).
 */
function sizedFieldMultipliers(
  model: CostModel,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): WeakMap<FieldNode, number> {
  const sized = new WeakMap<FieldNode, number>();
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const operation = findOperation(document, operationName);
  if (!operation) return sized;
  const root = model.schema.getRootType(operation.operation);
  if (!root) return sized;

  let visited = 0;
  const eachField = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    visit: (node: FieldNode, parent: GraphQLCompositeType) => void,
    trail: ReadonlySet<string> = new Set(),
  ) => {
    for (const selection of selectionSet.selections) {
      if (++visited > MAX_VISITED_SELECTIONS) throw new TooManySelectionsError('too many selections to estimate');
      if (selection.kind === Kind.FIELD) visit(selection, parent);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? model.schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) eachField(selection.selectionSet, type, visit, trail);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || trail.has(fragment.name.value)) continue;
        const type = model.schema.getType(fragment.typeCondition.name.value);
        if (type && isCompositeType(type)) eachField(fragment.selectionSet, type, visit, new Set([...trail, fragment.name.value]));
      }
    }
  };
  const walk = (node: FieldNode, parent: GraphQLCompositeType) => {
    if (!node.selectionSet || !('getFields' in parent)) return;
    const field = parent.getFields()[node.name.value];
    if (!field) return;
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) return;
    const listSize = model.listSizes.get(`${parent.name}.${field.name}`);
    if (listSize?.sizedFields?.length) {
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(field, node, variables);
      } catch {
        // Invalid arguments fail validation or execution; price with the assumed size.
      }
      const size = listSizeOf(listSize, args);
      eachField(node.selectionSet, named, (child) => {
        if (listSize.sizedFields!.includes(child.name.value)) sized.set(child, Math.max(sized.get(child) ?? 0, size));
      });
    }
    eachField(node.selectionSet, named, walk);
  };
  eachField(operation.selectionSet, root, walk);
  return sized;
}

function costOf(directives: readonly ConstDirectiveNode[]): number | undefined {
  const cost = directives.find((d) => d.name.value === 'cost');
  return cost ? Number(argumentsOf(cost).weight) : undefined;
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}
