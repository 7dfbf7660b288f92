import type { VariablesAnalysis } from '../analysis/operationAnalysis';

/**
 * The deprecated coordinates a request uses: fields selected, arguments and input fields
 * given, enum values written in the document or passed in its variables. Read from the
 * operation's analysis; sorted.
 */
export function findDeprecatedUsage(request: VariablesAnalysis, deprecated: ReadonlyMap<string, string>): string[] {
  return [...request.usedCoordinates()].filter((coordinate) => deprecated.has(coordinate)).sort();
}
