import { findRegistryDisagreements } from '../deprecations/registry';
import { listGraphQLFiles } from '../server/schemaFiles';
import type { OperationLimits } from '../policies/limitsPolicy';
import { classifyChanges, isJudgedByDeprecationPolicy, policyChanges, type SchemaChange } from './classifyChanges';
import { checkOperations, checkUnmatchedTrustedDocuments, type OperationReport } from './checkOperations';
import type { SchemaVersion } from './schemaSources';

export interface RemovalVerdict {
  coordinate: string;
  allowed: boolean;
  reason: string;
}

export interface CheckResult {
  base: string;
  next: string;
  changes: SchemaChange[];
  removals: RemovalVerdict[];
  operations: OperationReport[];
  /** Why the check fails; empty when it passes. */
  failures: string[];
}

export interface CheckOptions {
  operationsDir: string;
  limits: OperationLimits & { maxCost: number };
  /** YYYY-MM-DD */
  today: string;
  /** Use of each coordinate in the recent window, when a database is reachable; null otherwise. */
  recentUsage: Map<string, number> | null;
  usageDays: number;
}

/**
 * The verdict on a schema change. The changed SDL and registry must agree (as start-up demands).
 * A removal passes only when its coordinate was in the base's registry past its removeAfter date
 * and (when usage data is available) nobody used it in the last days; any other breaking change
 * fails, and so does any client operation the change breaks, prices over the maximum, or newly
 * forbids.
 */
export function runCheck(base: SchemaVersion, next: SchemaVersion, options: CheckOptions): CheckResult {
  const changes = [...classifyChanges(base.schema, next.schema), ...policyChanges(base.schema, next.schema)];
  const operations = checkOperations(listGraphQLFiles(options.operationsDir), options.operationsDir, base, next, options.limits);
  const removals: RemovalVerdict[] = [];
  const failures: string[] = [];
  for (const change of changes.filter((c) => c.severity === 'breaking')) {
    if (isJudgedByDeprecationPolicy(change)) {
      const verdict = judgeRemoval(change.coordinate, base, options);
      removals.push(verdict);
      if (!verdict.allowed) failures.push(`${change.message} ${verdict.reason}`);
    } else {
      failures.push(change.message);
    }
  }
  for (const op of operations) {
    const label = `${op.client}/${op.name}`;
    const trusted = op.documentId ? ` It is the trusted document ${op.documentId}: ${op.client} clients sending its id would be refused.` : '';
    if (op.errors.length) failures.push(`${label} no longer validates: ${op.errors.join(' ')}${trusted}`);
    if (op.overBudget) failures.push(`${label} costs ${op.costAfter}, above the maximum of ${options.limits.maxCost}.`);
    for (const r of op.newlyRestricted) failures.push(`${label} uses ${r.coordinate}, whose access rule tightened from ${r.before} to ${r.after}.`);
  }
  for (const { operation, errors } of checkUnmatchedTrustedDocuments(operations, options.operationsDir, next)) {
    if (errors.length) {
      failures.push(
        `The trusted document sha256:${operation.id} (${operation.clientName}/${operation.name}, published but in no operation file any more) no longer validates: ${errors.join(' ')}`,
      );
    }
  }
  // Last: a removal judged above usually explains its registry entry left behind.
  failures.push(...registryFailures(next));
  return { base: base.label, next: next.label, changes, removals, operations, failures };
}

/** Where the SDL and its registry disagree, each with what to do: a change that leaves them so would stop the server starting. */
function registryFailures(next: SchemaVersion): string[] {
  const disagreements = findRegistryDisagreements(next.schema, next.registry);
  if (next.registrySource === null && disagreements.length) {
    const coordinates = disagreements.map((d) => d.coordinate).join(', ');
    return [
      `schema/deprecations.yaml is missing, but the SDL deprecates ${coordinates}: restore it (git checkout HEAD -- schema/deprecations.yaml) with an entry for each, or remove their @deprecated.`,
    ];
  }
  return disagreements.map((d) => `${d.problem}: ${d.remedy}.`);
}

function judgeRemoval(coordinate: string, base: SchemaVersion, options: CheckOptions): RemovalVerdict {
  const entry = base.registry.get(coordinate);
  if (!entry)
    return {
      coordinate,
      allowed: false,
      reason: `It was never deprecated: deprecate it in the SDL and schema/deprecations.yaml first, and remove it after its sunset date.`,
    };
  if (entry.removeAfter >= options.today) {
    return { coordinate, allowed: false, reason: `Its sunset date is ${entry.removeAfter}: it may be removed after that day.` };
  }
  if (options.recentUsage === null) {
    return {
      coordinate,
      allowed: true,
      reason: `Deprecated on ${entry.deprecatedOn}, sunset ${entry.removeAfter} has passed (no database: usage not checked).`,
    };
  }
  const uses = options.recentUsage.get(coordinate) ?? 0;
  if (uses > 0) {
    return {
      coordinate,
      allowed: false,
      reason: `Its sunset ${entry.removeAfter} has passed, but it was used ${uses} times in the last ${options.usageDays} days (npm run deprecations:report says by whom).`,
    };
  }
  return {
    coordinate,
    allowed: true,
    reason: `Deprecated on ${entry.deprecatedOn}, sunset ${entry.removeAfter} has passed, no use in the last ${options.usageDays} days.`,
  };
}
