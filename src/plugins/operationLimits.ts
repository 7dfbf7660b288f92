import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
}

interface Shape {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
}

/**
 * A validation rule bounding the shape of every operation, fragments included: nesting depth,
 * aliases, root fields and directives. Apollo caches validated documents, so a repeated
 * operation pays for this once. Fragment cycles end the walk (NoFragmentCyclesRule reports them).
 */
export function operationLimitsRule(limits: OperationLimits) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const fragments = new Map(
        context
          .getDocument()
          .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d]),
      );
      const shape = measure(operation, fragments);
      const exceeded: Array<[keyof OperationLimits, number, number, string]> = [
        ['maxDepth', shape.depth, limits.maxDepth, 'is nested'],
        ['maxAliases', shape.aliases, limits.maxAliases, 'uses aliases'],
        ['maxRootFields', shape.rootFields, limits.maxRootFields, 'selects root fields'],
        ['maxDirectives', shape.directives, limits.maxDirectives, 'uses directives'],
      ];
      for (const [limit, actual, maximum, what] of exceeded) {
        if (actual > maximum) {
          context.reportError(
            new GraphQLError(`The operation ${what} ${actual} ${limit === 'maxDepth' ? 'levels deep' : 'times'}; the limit is ${maximum}.`, {
              nodes: [operation],
              extensions: { limit, actual, maximum },
            }),
          );
        }
      }
    },
  });
}

interface SelectionShape {
  /** Field levels below and including this selection set's fields. */
  depth: number;
  aliases: number;
  directives: number;
  /** Fields at this level, through fragments. */
  fields: number;
}

/**
 * Each fragment is measured once and its counts added per spread, so a "fragment bomb"
 * (fragments spreading each other many times) costs linear time to measure while its
 * aliases still count once per place they appear.
 */
function measure(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): Shape {
  const memo = new Map<string, SelectionShape>();
  const ofSelectionSet = (selectionSet: SelectionSetNode, trail: ReadonlySet<string>): SelectionShape => {
    const shape: SelectionShape = { depth: 0, aliases: 0, directives: 0, fields: 0 };
    const add = (child: SelectionShape) => {
      shape.depth = Math.max(shape.depth, child.depth);
      shape.aliases += child.aliases;
      shape.directives += child.directives;
      shape.fields += child.fields;
    };
    for (const selection of selectionSet.selections) {
      shape.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        shape.fields += 1;
        if (selection.alias) shape.aliases += 1;
        const below = selection.selectionSet ? ofSelectionSet(selection.selectionSet, trail) : undefined;
        shape.depth = Math.max(shape.depth, 1 + (below?.depth ?? 0));
        if (below) {
          shape.aliases += below.aliases;
          shape.directives += below.directives;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(ofSelectionSet(selection.selectionSet, trail));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || trail.has(name)) continue;
        let fragmentShape = memo.get(name);
        if (!fragmentShape) {
          fragmentShape = ofSelectionSet(fragment.selectionSet, new Set([...trail, name]));
          fragmentShape.directives += fragment.directives?.length ?? 0;
          memo.set(name, fragmentShape);
        }
        add(fragmentShape);
      }
    }
    return shape;
  };
  const root = ofSelectionSet(operation.selectionSet, new Set());
  return {
    depth: root.depth,
    aliases: root.aliases,
    rootFields: root.fields,
    directives: root.directives + (operation.directives?.length ?? 0),
  };
}
