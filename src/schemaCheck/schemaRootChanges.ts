import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import type { SchemaChange } from './classifyChanges';

const OPERATIONS: ReadonlyArray<[operation: string, rootOf: (schema: GraphQLSchema) => GraphQLObjectType | null | undefined]> = [
  ['query', (schema) => schema.getQueryType()],
  ['mutation', (schema) => schema.getMutationType()],
  ['subscription', (schema) => schema.getSubscriptionType()],
];

/**
 * Which type is the root of each operation, which graphql-js does not compare: a schema
 * definition that drops `subscription` keeps the Subscription type, so no type removal shows.
 * A removed or replaced root fails every operation of that kind written against it (its
 * fields, fragments on the root type, __typename): breaking. A new root is safe.
 */
export function schemaRootChanges(base: GraphQLSchema, next: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const [operation, rootOf] of OPERATIONS) {
    const was = rootOf(base)?.name;
    const now = rootOf(next)?.name;
    if (was === now) continue;
    const coordinate = `schema.${operation}`;
    if (was === undefined) {
      changes.push({ severity: 'safe', kind: 'SCHEMA_ROOT_ADDED', coordinate, message: `The ${operation} root ${now} was added.` });
    } else if (now === undefined) {
      changes.push({
        severity: 'breaking',
        kind: 'SCHEMA_ROOT_REMOVED',
        coordinate,
        message: `The ${operation} root ${was} was removed: every ${operation} operation fails validation. Keep the root, and remove its fields through the deprecation policy.`,
      });
    } else {
      changes.push({
        severity: 'breaking',
        kind: 'SCHEMA_ROOT_CHANGED',
        coordinate,
        message: `The ${operation} root changed from ${was} to ${now}: ${operation} operations written against ${was} (fragments on it, __typename, its fields) no longer match. Keep ${was} as the root and add the new fields to it.`,
      });
    }
  }
  return changes;
}
