import { BreakingChangeType, DirectiveLocation, type BreakingChange, type GraphQLSchema } from 'graphql';
import type { SchemaChange } from './classifyChanges';

/** Locations only the schema's own definitions have: no client operation can write a directive there. */
const TYPE_SYSTEM_LOCATIONS: ReadonlySet<string> = new Set([
  DirectiveLocation.SCHEMA,
  DirectiveLocation.SCALAR,
  DirectiveLocation.OBJECT,
  DirectiveLocation.FIELD_DEFINITION,
  DirectiveLocation.ARGUMENT_DEFINITION,
  DirectiveLocation.INTERFACE,
  DirectiveLocation.UNION,
  DirectiveLocation.ENUM,
  DirectiveLocation.ENUM_VALUE,
  DirectiveLocation.INPUT_OBJECT,
  DirectiveLocation.INPUT_FIELD_DEFINITION,
]);

const SDL_READERS = 'Tools that read the SDL (codegen, linters, a gateway composing it) may still expect it: tell their owners.';

/**
 * graphql-js calls every directive or directive-location removal breaking. One that only ever
 * applied to type-system locations cannot break a client operation, which can only write
 * directives at executable locations: it is dangerous, for tooling that reads the SDL. Null
 * for any other change, which stays as graphql-js classified it.
 */
export function typeSystemDirectiveRemoval(change: BreakingChange, base: GraphQLSchema): SchemaChange | null {
  if (change.type === BreakingChangeType.DIRECTIVE_REMOVED) {
    const name = /^(\w+) was removed\.$/.exec(change.description)?.[1];
    const directive = name ? base.getDirective(name) : undefined;
    if (!directive || !directive.locations.every((location) => TYPE_SYSTEM_LOCATIONS.has(location))) return null;
    return {
      severity: 'dangerous',
      kind: change.type,
      coordinate: `@${directive.name}`,
      message: `Directive @${directive.name} was removed. It applied only to the schema's own definitions (${directive.locations.join(', ')}), so no client operation used it. ${SDL_READERS}`,
    };
  }
  if (change.type === BreakingChangeType.DIRECTIVE_LOCATION_REMOVED) {
    const m = /^(\w+) was removed from (\w+)\.$/.exec(change.description);
    if (!m || !TYPE_SYSTEM_LOCATIONS.has(m[1]!)) return null;
    return {
      severity: 'dangerous',
      kind: change.type,
      coordinate: `@${m[2]}`,
      message: `Directive @${m[2]} can no longer be used on ${m[1]}, a location of the schema's own definitions that no client operation writes. ${SDL_READERS}`,
    };
  }
  return null;
}
