import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { findOperation } from '../findOperation';

/**
 * The deprecated coordinates an operation touches: fields selected, arguments and input
 * fields given, enum values written in the document or passed in its variables.
 */
export function findDeprecatedUsage(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  deprecated: ReadonlyMap<string, string>,
): string[] {
  const used = new Set<string>();
  const note = (coordinate: string) => {
    if (deprecated.has(coordinate)) used.add(coordinate);
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent) note(`${parent.name}.${node.name.value}`);
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) note(`${parent.name}.${field.name}(${node.name.value}:)`);
      },
      EnumValue(node) {
        const type = getNamedType(typeInfo.getInputType() ?? undefined);
        if (type && isEnumType(type)) note(`${type.name}.${node.value}`);
      },
      ObjectField(node) {
        const type = getNamedType(typeInfo.getParentInputType() ?? undefined);
        if (type && isInputObjectType(type)) note(`${type.name}.${node.name.value}`);
      },
    }),
  );
  const operation = findOperation(document, operationName);
  if (operation && variables) {
    for (const definition of operation.variableDefinitions ?? []) {
      const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
      if (type) noteValue(variables[definition.variable.name.value], type, note);
    }
  }
  return [...used].sort();
}

function noteValue(value: unknown, type: GraphQLInputType, note: (coordinate: string) => void): void {
  if (value === null || value === undefined) return;
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) {
    if (Array.isArray(value)) for (const item of value) noteValue(item, nullable.ofType, note);
    return;
  }
  if (isEnumType(nullable) && typeof value === 'string') note(`${nullable.name}.${value}`);
  if (isInputObjectType(nullable) && typeof value === 'object') {
    const fields = nullable.getFields();
    for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      note(`${nullable.name}.${name}`);
      const field = fields[name];
      if (field) noteValue(fieldValue, field.type, note);
    }
  }
}
