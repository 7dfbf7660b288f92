import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  type ConstDirectiveNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  valueFromASTUntyped,
} from 'graphql';
import type { ComplexityEstimator, ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { VariablesAnalysis } from '../analysis/operationAnalysis';
import { isIncluded, type SelectionSetInfo } from '../analysis/selectionGraph';

/** Defaults agreed by Apollo's demand control and Shopify: object 1, leaf 0, mutation 10. */
export const OBJECT_COST = 1;
const LEAF_COST = 0;
export const MUTATION_COST = 10;
/** For a list without @listSize: the page size a client gets by default. */
const DEFAULT_LIST_SIZE = 20;
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
 * The estimated cost of one operation with its variables, as the IBM cost specification
 * prices it: a field costs (its weight + its selections' cost) times its list size, where a
 * connection's size (first/last) applies to its `edges`; an abstract selection costs its most
 * expensive possible type; @skip/@include apply.
 *
 * It keeps graphql-query-complexity's estimator contract and its rules for fragments and
 * abstract types (a test checks that the two agree), but not its walker: that one prices a
 * fragment again at every spread, which is exponential on a fragment bomb. This walks the
 * operation's selection graph and prices each selection set once per list size it is asked
 * under (memoised), so it is linear in the document.
 */
export function estimateCost(model: CostModel, request: VariablesAnalysis, estimator: ComplexityEstimator = costModelEstimator(model)): number {
  const { analysis, variables } = request;
  const { schema } = model;
  const memo = new Map<string, number>();
  const possibleTypeNames = (type: GraphQLCompositeType) => (isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name]);
  const costOf = (set: SelectionSetInfo, sizing: Sizing | undefined): number => {
    const key = sizing ? `${set.id}|${sizing.size}|${sizing.fields.join(',')}` : `${set.id}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, 0); // a fragment cycle (refused by validation) prices at 0 instead of recursing forever
    analysis.visits += 1;
    const totals = new Map<string, number>();
    const addTo = (names: readonly string[], value: number) => {
      for (const name of names) totals.set(name, (totals.get(name) ?? 0) + value);
    };
    const ownTypes = possibleTypeNames(set.type);
    for (const selection of set.selections) {
      if (!isIncluded(selection.conditions, variables)) continue;
      if (selection.kind === 'fragment') {
        if (selection.target) addTo(possibleTypeNames(selection.target.type), costOf(selection.target, sizing));
        continue;
      }
      const field = selection.definition;
      // Meta fields are not priced by the list model: introspection answers from the schema in
      // memory, bounded by its own limits (see limitsPolicy), and __typename reads nothing.
      if (!field || selection.node.name.value.startsWith('__')) continue;
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(field, selection.node, variables);
      } catch {
        // Invalid arguments fail validation or execution; price with the assumed sizes.
      }
      const listSize = model.listSizes.get(selection.coordinate);
      const childSizing = listSize?.sizedFields?.length ? { fields: listSize.sizedFields, size: listSizeOf(listSize, args) } : undefined;
      const childComplexity = selection.children ? costOf(selection.children, childSizing) : 0;
      const context: SizingContext = { sizedBy: sizing?.fields.includes(selection.node.name.value) ? sizing.size : undefined };
      const score = estimator({ type: set.type, field, node: selection.node, args, childComplexity, context });
      if (typeof score !== 'number' || Number.isNaN(score)) throw new Error(`No cost could be estimated for ${selection.coordinate}.`);
      addTo(ownTypes, score);
    }
    const cost = Math.max(0, ...totals.values());
    memo.set(key, cost);
    return cost;
  };
  return costOf(analysis.graph.root, undefined);
}

/**
 * The estimator of the cost model: a field weighs its @cost, else its type's @cost, else 10
 * for a mutation, 1 for an object and 0 for a scalar; a list multiplies by its @listSize (a
 * connection's size, handed down by the walker, applies to its edges), else 20.
 */
export function costModelEstimator(model: CostModel): ComplexityEstimator {
  const mutationType = model.schema.getMutationType();
  return ({ type, field, args, childComplexity, context }: ComplexityEstimatorArgs): number => {
    const named = getNamedType(field.type);
    const coordinate = `${type.name}.${field.name}`;
    const weight =
      model.fieldWeights.get(coordinate) ??
      model.typeWeights.get(named.name) ??
      (type === mutationType ? MUTATION_COST : isCompositeType(named) ? OBJECT_COST : LEAF_COST);
    const sizedBy = (context as SizingContext | undefined)?.sizedBy;
    const size = sizedBy ?? (isList(field.type) ? listSizeOf(model.listSizes.get(coordinate), args) : 1);
    return size * (weight + childComplexity);
  };
}

/** A connection's size, handed down to the child fields its @listSize(sizedFields:) names. */
interface Sizing {
  fields: readonly string[];
  size: number;
}

/** What the walker passes to the estimator in graphql-query-complexity's `context` slot. */
interface SizingContext {
  /** The size a parent connection gives this field (its `edges`), if any. */
  sizedBy: number | undefined;
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

function costOf(directives: readonly ConstDirectiveNode[]): number | undefined {
  const cost = directives.find((d) => d.name.value === 'cost');
  return cost ? Number(argumentsOf(cost).weight) : undefined;
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}
