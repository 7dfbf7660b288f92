import { BadUserInputError, OperationLimitError } from '../errors';
import { SATURATED, type OperationShape } from '../analysis/operationAnalysis';
import type { Policy } from '../pipeline/pipeline';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Field selections with every fragment counted where it is spread: the operation inlined. */
  maxSelections: number;
}

/**
 * Introspection's own bounds, fixed: what the standard introspection query needs (three
 * lists on a path: types, fields, args; ofType nine deep) with a little room. A deeper
 * introspection multiplies its answer by the schema's size at each list.
 */
export const INTROSPECTION_LIMITS = { maxIntrospectionLists: 3, maxOfTypeDepth: 10 } as const;

export interface LimitViolation {
  limit: keyof OperationLimits | keyof typeof INTROSPECTION_LIMITS;
  actual: number;
  maximum: number;
  message: string;
}

/** The structural limits an operation's shape is over, with messages that say by how much. */
export function findLimitViolations(shape: OperationShape, limits: OperationLimits): LimitViolation[] {
  const checks: Array<[keyof OperationLimits, number, string]> = [
    ['maxDepth', shape.depth, 'is nested %n levels deep'],
    ['maxAliases', shape.aliases, 'uses aliases %n times'],
    ['maxRootFields', shape.rootFields, 'selects root fields %n times'],
    ['maxDirectives', shape.directives, 'uses directives %n times'],
    ['maxSelections', shape.selections, 'selects %n fields (a fragment counts at every place it is spread)'],
  ];
  const all = { ...limits, ...INTROSPECTION_LIMITS };
  const introspectionChecks: Array<[keyof typeof INTROSPECTION_LIMITS, number, string]> = [
    ['maxIntrospectionLists', shape.introspection.lists, 'goes through %n lists of introspection types on one path (types, fields, args...)'],
    ['maxOfTypeDepth', shape.introspection.ofType, 'nests ofType %n deep'],
  ];
  return [...checks, ...introspectionChecks]
    .filter(([limit, actual]) => actual > all[limit])
    .map(([limit, actual, what]) => {
      const amount = actual >= SATURATED ? `more than ${SATURATED}` : String(actual);
      return { limit, actual, maximum: all[limit], message: `The operation ${what.replace('%n', amount)}; the limit is ${all[limit]}.` };
    });
}

/**
 * The first step: refuses, before anything else runs, an operation over a structural limit,
 * one whose variables cannot be coerced to their types, and one whose string literals hold
 * what no column can store (NUL, unpaired surrogates). All read from the cached analysis.
 */
export function limitsPolicy(limits: OperationLimits): Policy {
  return {
    name: 'limits',
    prepare(state) {
      const { analysis, request } = state.operation!;
      const [violation] = findLimitViolations(analysis.shape, limits);
      if (violation) {
        const { message, ...details } = violation;
        throw new OperationLimitError(message, details);
      }
      if (analysis.hasMalformedString) {
        throw new BadUserInputError('A string in the document holds a NUL character or an unpaired surrogate, which is not valid text.', {
          refusesRequest: true,
        });
      }
      const [variableError] = request.errors;
      if (variableError) {
        throw new BadUserInputError(variableError.message, { refusesRequest: true });
      }
    },
  };
}
