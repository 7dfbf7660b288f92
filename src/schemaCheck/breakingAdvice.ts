import { BreakingChangeType } from 'graphql';

/**
 * What to do instead of each breaking change graphql-js finds, appended to its bare wording so
 * that a failed check teaches the fix. A Record over the enum: a new graphql-js rule fails the
 * typecheck until it has advice. Removals the deprecation policy judges (REMOVAL_KINDS with a
 * coordinate) take the policy's verdict instead, which names the registry entry and sunset.
 */
export const BREAKING_ADVICE: Readonly<Record<BreakingChangeType, string>> = {
  [BreakingChangeType.TYPE_REMOVED]: 'Deprecate the fields that return it first, and remove it once no field uses it.',
  [BreakingChangeType.TYPE_CHANGED_KIND]: 'Add a new type under a new name and deprecate the fields that return this one.',
  [BreakingChangeType.TYPE_REMOVED_FROM_UNION]:
    "Keep it in the union: clients' fragments on it stop matching. Add a new field returning a new union and deprecate this one.",
  [BreakingChangeType.VALUE_REMOVED_FROM_ENUM]: 'Deprecate it first (schema/deprecations.yaml) and remove it after its sunset date.',
  [BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED]: 'Make it optional or give it a default value.',
  [BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED]: "Keep implementing it: clients' fragments on the interface stop matching this type.",
  [BreakingChangeType.FIELD_REMOVED]: 'Deprecate it first (schema/deprecations.yaml) and remove it after its sunset date.',
  [BreakingChangeType.FIELD_CHANGED_KIND]: 'Add a new field with the new type and deprecate this one.',
  [BreakingChangeType.REQUIRED_ARG_ADDED]: 'Make it optional or give it a default value.',
  [BreakingChangeType.ARG_REMOVED]: 'Deprecate it first (schema/deprecations.yaml) and remove it after its sunset date.',
  [BreakingChangeType.ARG_CHANGED_KIND]: 'Add a new argument with the new type and deprecate this one.',
  [BreakingChangeType.DIRECTIVE_REMOVED]: 'Keep it: client operations may use it, and fail validation without it.',
  [BreakingChangeType.DIRECTIVE_ARG_REMOVED]: 'Keep the argument: client operations that pass it fail validation without it.',
  [BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED]: 'Make it optional or give it a default value.',
  [BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED]: 'Keep it repeatable: client operations that repeat it fail validation.',
  [BreakingChangeType.DIRECTIVE_LOCATION_REMOVED]: 'Keep the location: client operations that use the directive there fail validation.',
};
