import {
  getOperationAST,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  typeFromAST,
  visit,
  type DocumentNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
} from 'graphql';
import { BoundedMemo } from './boundedMemo';
import { buildSelectionGraph, collectLiteralCoordinates, isIncluded, type FieldSelection, type SelectionGraph, type SelectionSetInfo } from './selectionGraph';

/** The structural measures the operation limits bound, with every fragment counted where it is spread. */
export interface OperationShape {
  /** Field levels, the deepest path. */
  depth: number;
  aliases: number;
  /** Fields at the root, through fragments. */
  rootFields: number;
  directives: number;
  /** Field selections, a fragment's counted once per place it is spread: the operation's size inlined. */
  selections: number;
  /**
   * Below `__schema`/`__type` (whose nesting `depth` does not count): the most lists of
   * introspection types one path goes through (`types`, `fields`, `args`...: each multiplies
   * the answer by the schema's size), and the deepest chain of `ofType`.
   */
  introspection: { lists: number; ofType: number };
  /** The operation selects `__schema` or `__type`. */
  introspects: boolean;
}

/** Counts beyond this are reported as "at least" it: the exact size of a fragment bomb is astronomical. */
export const SATURATED = Number.MAX_SAFE_INTEGER;
const add = (a: number, b: number) => Math.min(SATURATED, a + b);

const MAX_VARIANTS = 64;
/** The longest variables (as JSON) whose analysis is cached. */
const MAX_CACHED_VARIABLES_LENGTH = 2_048;

/**
 * One analysis of one operation of one document, computed once and shared by every request
 * that sends the document (see AnalysisCache): its selection graph, its shape, whether its
 * literals hold strings the database cannot store, and, per set of variables, the coerced
 * variables and the coordinates it selects. The policies (limits, authorization, cost,
 * deprecation) read from it; none walks the document itself. Every walk here visits each
 * selection set once (memoised), so its time is linear in the document's size whatever its
 * fragments spread; `visits` counts that work, for the tests that prove it. What it keeps is
 * proportional to the operation (its fragments only, not the whole document's) plus a bounded
 * number of small variable sets.
 */
export class OperationAnalysis {
  readonly operationType: OperationTypeNode;
  readonly shape: OperationShape;
  /** A string literal holds NUL or an unpaired surrogate. */
  readonly hasMalformedString: boolean;
  /** Selection-set visits made by every walk of this analysis so far. */
  visits = 0;
  private readonly variants = new BoundedMemo<VariablesAnalysis>(MAX_VARIANTS);
  private readonly memo = new BoundedMemo<unknown>(MAX_VARIANTS);
  private staticCoordinates: SelectedCoordinates | undefined;

  private constructor(
    readonly schema: GraphQLSchema,
    readonly document: DocumentNode,
    readonly operation: OperationDefinitionNode,
    readonly graph: SelectionGraph,
  ) {
    this.operationType = operation.operation;
    this.shape = this.measure();
    this.hasMalformedString = hasMalformedStringLiteral(document);
  }

  /** The analysis of the operation `operationName` selects, or undefined when it selects none. */
  static of(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): OperationAnalysis | undefined {
    const operation = getOperationAST(document, operationName);
    if (!operation) return undefined;
    const graph = buildSelectionGraph(schema, document, operation);
    return graph ? new OperationAnalysis(schema, document, operation, graph) : undefined;
  }

  /**
   * What depends on the request's variables, computed once per distinct set of the variables
   * the operation declares (others are ignored, as execution ignores them). Small sets are
   * cached; a large one (a long list of ids, a long string) is analysed for its request only,
   * so that the cache holds at most MAX_VARIANTS x MAX_CACHED_VARIABLES_LENGTH per operation.
   */
  forVariables(variables: Readonly<Record<string, unknown>> | undefined): VariablesAnalysis {
    const declared: Record<string, unknown> = {};
    for (const definition of this.operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      if (variables && Object.hasOwn(variables, name)) declared[name] = variables[name];
    }
    const key = JSON.stringify(declared);
    if (key.length > MAX_CACHED_VARIABLES_LENGTH) return new VariablesAnalysis(this, declared);
    return this.variants.get(key, () => new VariablesAnalysis(this, declared));
  }

  /** A value derived from this analysis alone (a policy's decision for a viewer), cached with it. */
  cached<T>(key: string, compute: () => T): T {
    return this.memo.get(key, compute) as T;
  }

  /** The coordinates selected with these (coerced) variables; computed once when no @skip/@include reads a variable. */
  selectedCoordinates(variables: Readonly<Record<string, unknown>>): SelectedCoordinates {
    if (this.graph.hasVariableConditions) return this.selectCoordinates(variables);
    return (this.staticCoordinates ??= this.selectCoordinates({}));
  }

  /**
   * Every field coordinate the operation selects, and every argument, enum value and input
   * field it writes, through fragments (each selection set visited once) and after @skip/@include.
   * Meta fields (__typename, __schema, __type) are not descended into: introspection is governed
   * by its own switch, not by the access rules of the schema's types.
   */
  private selectCoordinates(variables: Readonly<Record<string, unknown>>): SelectedCoordinates {
    const fields = new Set<string>();
    const inputs = new Set<string>();
    const seen = new Set<number>();
    const stack: SelectionSetInfo[] = [this.graph.root];
    seen.add(this.graph.root.id);
    while (stack.length) {
      const set = stack.pop()!;
      this.visits += 1;
      for (const selection of set.selections) {
        if (!isIncluded(selection.conditions, variables)) continue;
        const next = selection.kind === 'field' ? selection.children : selection.target;
        if (selection.kind === 'field') {
          if (selection.node.name.value.startsWith('__')) continue;
          fields.add(selection.coordinate);
          for (const coordinate of selection.inputCoordinates) inputs.add(coordinate);
        }
        if (next && !seen.has(next.id)) {
          seen.add(next.id);
          stack.push(next);
        }
      }
    }
    return { fields, inputs };
  }

  /** Memoised per selection set: each set's measures are computed once and added per spread. */
  private measure(): OperationShape {
    type Measures = {
      depth: number;
      aliases: number;
      directives: number;
      selections: number;
      levelFields: number;
      lists: number;
      ofType: number;
      introspects: boolean;
    };
    const memo = new Map<number, Measures>();
    const inProgress = new Set<number>();
    const measureSet = (set: SelectionSetInfo): Measures => {
      const known = memo.get(set.id);
      if (known) return known;
      const result: Measures = { depth: 0, aliases: 0, directives: set.ownDirectives, selections: 0, levelFields: 0, lists: 0, ofType: 0, introspects: false };
      if (inProgress.has(set.id)) return result; // a fragment cycle: validation reports it
      inProgress.add(set.id);
      this.visits += 1;
      for (const selection of set.selections) {
        result.directives = add(result.directives, selection.kind === 'field' ? (selection.node.directives?.length ?? 0) : selection.directives);
        if (selection.kind === 'field') {
          const below = selection.children ? measureSet(selection.children) : undefined;
          const name = selection.node.name.value;
          // Introspection is bounded by its own measures below, not by the operation's depth:
          // the standard introspection query nests ofType nine times.
          const introspectionRoot = name === '__schema' || name === '__type';
          result.depth = Math.max(result.depth, 1 + (introspectionRoot ? 0 : (below?.depth ?? 0)));
          result.aliases = add(result.aliases, (selection.node.alias ? 1 : 0) + (below?.aliases ?? 0));
          result.directives = add(result.directives, below?.directives ?? 0);
          result.selections = add(result.selections, 1 + (below?.selections ?? 0));
          result.levelFields = add(result.levelFields, 1);
          result.lists = Math.max(result.lists, (isIntrospectionList(selection) ? 1 : 0) + (below?.lists ?? 0));
          result.ofType = Math.max(result.ofType, (name === 'ofType' && isIntrospectionType(selection.parentType) ? 1 : 0) + (below?.ofType ?? 0));
          result.introspects ||= introspectionRoot || (below?.introspects ?? false);
        } else if (selection.target) {
          const inner = measureSet(selection.target);
          result.depth = Math.max(result.depth, inner.depth);
          result.aliases = add(result.aliases, inner.aliases);
          result.directives = add(result.directives, inner.directives);
          result.selections = add(result.selections, inner.selections);
          result.levelFields = add(result.levelFields, inner.levelFields);
          result.lists = Math.max(result.lists, inner.lists);
          result.ofType = Math.max(result.ofType, inner.ofType);
          result.introspects ||= inner.introspects;
        }
      }
      inProgress.delete(set.id);
      memo.set(set.id, result);
      return result;
    };
    const root = measureSet(this.graph.root);
    return {
      depth: root.depth,
      aliases: root.aliases,
      rootFields: root.levelFields,
      directives: add(root.directives, this.operation.directives?.length ?? 0),
      selections: root.selections,
      introspection: { lists: root.lists, ofType: root.ofType },
      introspects: root.introspects,
    };
  }
}

export interface SelectedCoordinates {
  /** "Type.field" of every selected field. */
  fields: ReadonlySet<string>;
  /** "Type.field(arg:)", "Enum.VALUE" and "Input.field" written in the document's arguments. */
  inputs: ReadonlySet<string>;
}

/** The part of an analysis that depends on the variables of a request. */
export class VariablesAnalysis {
  /** The variables coerced to their types: what execution will see. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Why the variables cannot be coerced; empty when they can. */
  readonly errors: readonly GraphQLError[];
  private readonly memo = new BoundedMemo<unknown>(MAX_VARIANTS);
  private selected: SelectedCoordinates | undefined;

  constructor(
    readonly analysis: OperationAnalysis,
    private readonly raw: Readonly<Record<string, unknown>>,
  ) {
    const coerced = getVariableValues(analysis.schema, analysis.operation.variableDefinitions ?? [], raw, { maxErrors: 10 });
    this.variables = coerced.coerced ?? {};
    this.errors = coerced.errors ?? [];
  }

  /** The coordinates the operation selects with these variables. */
  get coordinates(): SelectedCoordinates {
    return (this.selected ??= this.analysis.selectedCoordinates(this.variables));
  }

  /**
   * Every coordinate the request uses: fields selected, arguments, enum values and input fields
   * written in the document, and the enum values and input fields its variables pass.
   */
  usedCoordinates(): ReadonlySet<string> {
    return this.cached('used', () => {
      const used = new Set<string>([...this.coordinates.fields, ...this.coordinates.inputs]);
      const note = (coordinate: string) => used.add(coordinate);
      for (const definition of this.analysis.operation.variableDefinitions ?? []) {
        const type = typeFromAST(this.analysis.schema, definition.type) as GraphQLInputType | undefined;
        if (!type) continue;
        const name = definition.variable.name.value;
        if (name in this.raw) noteValueCoordinates(this.raw[name], type, note);
        else if (definition.defaultValue) {
          const found: string[] = [];
          collectLiteralCoordinates(definition.defaultValue, type, found);
          found.forEach(note);
        }
      }
      return used;
    });
  }

  /** A value derived from the analysis and these variables (the cost), cached with them. */
  cached<T>(key: string, compute: () => T): T {
    return this.memo.get(key, compute) as T;
  }
}

/** Enum values and input fields in a variable's value, iteratively (depth is bounded at the edge, not here). */
function noteValueCoordinates(value: unknown, type: GraphQLInputType, note: (coordinate: string) => void): void {
  const stack: Array<[unknown, GraphQLInputType]> = [[value, type]];
  while (stack.length) {
    const [current, currentType] = stack.pop()!;
    if (current === null || current === undefined) continue;
    const nullable = isNonNullType(currentType) ? currentType.ofType : currentType;
    if (isListType(nullable)) {
      if (Array.isArray(current)) for (const item of current) stack.push([item, nullable.ofType]);
      else stack.push([current, nullable.ofType]);
    } else if (isEnumType(nullable) && typeof current === 'string') {
      note(`${nullable.name}.${current}`);
    } else if (isInputObjectType(nullable) && typeof current === 'object' && !Array.isArray(current)) {
      const fields = nullable.getFields();
      for (const [name, fieldValue] of Object.entries(current as Record<string, unknown>)) {
        note(`${nullable.name}.${name}`);
        const field = fields[name];
        if (field) stack.push([fieldValue, field.type]);
      }
    }
  }
}

/** A field of an introspection type that returns a list of them (`__Schema.types`, `__Type.fields`...). */
function isIntrospectionList(field: FieldSelection): boolean {
  if (!field.definition || !isIntrospectionType(field.parentType)) return false;
  const type = isNonNullType(field.definition.type) ? field.definition.type.ofType : field.definition.type;
  return isListType(type);
}

const MALFORMED = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL or an unpaired surrogate: text that PostgreSQL cannot store and UTF-8 cannot encode. */
export function isMalformedString(value: string): boolean {
  return MALFORMED.test(value);
}

function hasMalformedStringLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (isMalformedString(node.value)) found = true;
    },
  });
  return found;
}
