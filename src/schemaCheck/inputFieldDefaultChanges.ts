import { astFromValue, isInputObjectType, isNonNullType, Kind, print, type GraphQLInputField, type GraphQLSchema, type ValueNode } from 'graphql';
import type { SchemaChange } from './classifyChanges';

/**
 * Added, removed and changed default values of input fields, which graphql-js compares for
 * arguments (ARG_DEFAULT_VALUE_CHANGE) but not for input fields. A client that omits the field
 * gets the default, so changing it changes that client's results without any error: dangerous.
 * Two cases are exact instead: a default added to a non-null field only lets clients omit what
 * they had to send (safe), and a default removed from one makes clients that omit it fail
 * validation (breaking).
 */
export function inputFieldDefaultChanges(base: GraphQLSchema, next: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const type of Object.values(next.getTypeMap())) {
    const before = base.getType(type.name);
    if (!isInputObjectType(type) || !isInputObjectType(before)) continue;
    const oldFields = before.getFields();
    for (const field of Object.values(type.getFields())) {
      const old = oldFields[field.name];
      if (!old) continue;
      const was = printDefault(old);
      const now = printDefault(field);
      if (was === now) continue;
      const coordinate = `${type.name}.${field.name}`;
      if (was === undefined) {
        changes.push(
          isNonNullType(old.type)
            ? {
                severity: 'safe',
                kind: 'INPUT_FIELD_DEFAULT_VALUE_ADDED',
                coordinate,
                message: `${coordinate} now defaults to ${now}: clients had to send it, and now may omit it.`,
              }
            : {
                severity: 'dangerous',
                kind: 'INPUT_FIELD_DEFAULT_VALUE_ADDED',
                coordinate,
                message: `${coordinate} now defaults to ${now}: a client that omits the field silently gets the results for ${now} instead of no value. Tell the clients that omit it, or add a new field with this default and deprecate this one.`,
              },
        );
      } else if (now === undefined) {
        changes.push(
          isNonNullType(field.type)
            ? {
                severity: 'breaking',
                kind: 'INPUT_FIELD_DEFAULT_VALUE_REMOVED',
                coordinate,
                message: `${coordinate} no longer defaults to ${was} and is non-null: a client that omits the field now fails validation. Keep the default.`,
              }
            : {
                severity: 'dangerous',
                kind: 'INPUT_FIELD_DEFAULT_VALUE_REMOVED',
                coordinate,
                message: `${coordinate} no longer defaults to ${was}: a client that omits the field silently gets the results for no value instead of ${was}. Keep the default, or tell the clients that omit it to send ${was}.`,
              },
        );
      } else {
        changes.push({
          severity: 'dangerous',
          kind: 'INPUT_FIELD_DEFAULT_VALUE_CHANGED',
          coordinate,
          message: `${coordinate} default value changed from ${was} to ${now}: a client that omits the field silently gets different results. Keep the old default, or tell the clients that omit it to send ${was}.`,
        });
      }
    }
  }
  return changes;
}

/**
 * The default as graphql-js prints it for arguments: the coerced value turned back into a
 * literal, so that `"a"` and `["a"]` for a list, or fields written in another order, are one
 * default and not a change.
 */
function printDefault(field: GraphQLInputField): string | undefined {
  if (field.defaultValue === undefined) return undefined;
  const literal = astFromValue(field.defaultValue, field.type);
  return literal ? print(sortObjectFields(literal)) : undefined;
}

function sortObjectFields(value: ValueNode): ValueNode {
  if (value.kind === Kind.LIST) return { ...value, values: value.values.map(sortObjectFields) };
  if (value.kind !== Kind.OBJECT) return value;
  const fields = value.fields.map((f) => ({ ...f, value: sortObjectFields(f.value) }));
  return { ...value, fields: fields.sort((a, b) => a.name.value.localeCompare(b.name.value)) };
}
