import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  parse,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { existsSync } from 'node:fs';
import { OperationAnalysis } from '../analysis/operationAnalysis';
import { buildAccessRules } from '../auth/accessRules';
import type { Scope } from '../auth/scopes';
import { buildCostModel, estimateCost } from '../complexity/costModel';
import { findDeprecatedUsage } from '../deprecations/findDeprecatedUsage';
import { deprecatedCoordinates } from '../deprecations/registry';
import { MAX_PAGE_SIZE } from '../pagination/pageArgs';
import { MANIFEST_FILE, readManifest, sha256Hex, type ManifestOperation } from '../persistedDocuments/manifest';
import { printTrustedDocument } from '../persistedDocuments/publishManifest';
import { findLimitViolations, type OperationLimits } from '../policies/limitsPolicy';
import { accessRuleChanges, describeRule } from './classifyChanges';
import type { SchemaVersion } from './schemaSources';

export interface OperationReport {
  client: string;
  name: string;
  file: string;
  kind: 'query' | 'mutation' | 'subscription';
  /**
   * The trusted document this operation was published as (`sha256:<hex>`, the id its clients
   * send), when the manifest beside the client folders holds it; null otherwise.
   */
  documentId: string | null;
  /** Sample variables from <name>.variables.json beside the operation (ids, SKUs). */
  sampleVariables: Record<string, unknown>;
  /** Validation errors against the new schema (with the server's limits): broken when any. */
  errors: string[];
  costBefore: number | null;
  costAfter: number | null;
  overBudget: boolean;
  /** The scopes a viewer needs for every field of the operation. */
  scopes: string[];
  /** Fields the operation uses whose access rule now needs scopes it did not. */
  newlyRestricted: Array<{ coordinate: string; before: string; after: string }>;
  deprecated: Array<{ coordinate: string; removeAfter: string | null }>;
  document: DocumentNode | null;
}

/**
 * Checks every client operation (schema/operations/<client>/<name>.graphql) against the new
 * schema: does it still validate, what does it cost before and after under exactly the
 * server's rules, does it pass the limits, which scopes it needs and which became stricter,
 * and which deprecated coordinates it uses.
 */
export function checkOperations(
  files: string[],
  operationsDir: string,
  base: SchemaVersion,
  next: SchemaVersion,
  limits: OperationLimits & { maxCost: number },
): OperationReport[] {
  const nextRules = buildAccessRules(next.schema);
  const ruleChanges = safely(() => accessRuleChanges(base.schema, next.schema)) ?? new Map();
  const baseModel = buildCostModel(base.schema);
  const nextModel = buildCostModel(next.schema);
  const deprecated = deprecatedCoordinates(next.schema);
  const published = new Set(readManifest(manifestIn(operationsDir)).operations.map((o) => o.id));
  return files.map((file) => {
    const relative = path.relative(operationsDir, file);
    const client = relative.split(path.sep)[0] ?? 'unknown';
    const report: OperationReport = {
      client,
      name: path.basename(file, '.graphql'),
      file: relative,
      kind: 'query',
      documentId: null,
      errors: [],
      costBefore: null,
      costAfter: null,
      overBudget: false,
      scopes: [],
      newlyRestricted: [],
      deprecated: [],
      document: null,
      sampleVariables: {},
    };
    const sampleFile = file.replace(/\.graphql$/, '.variables.json');
    if (existsSync(sampleFile)) report.sampleVariables = JSON.parse(readFileSync(sampleFile, 'utf8')) as Record<string, unknown>;
    let document: DocumentNode;
    try {
      const text = readFileSync(file, 'utf8');
      document = parse(text);
      const id = sha256Hex(printTrustedDocument(text));
      if (published.has(id)) report.documentId = `sha256:${id}`;
    } catch (error) {
      report.errors.push((error as Error).message);
      return report;
    }
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation) {
      report.errors.push('the file holds no operation');
      return report;
    }
    report.kind = operation.operation;
    report.name = operation.name?.value ?? report.name;
    report.errors = validate(next.schema, document).map((e) => e.message);
    if (report.errors.length) return report;
    // The same analysis, limits and cost the server applies to the operation.
    const analysis = OperationAnalysis.of(next.schema, document, operation.name?.value)!;
    report.errors = findLimitViolations(analysis.shape, limits).map((v) => v.message);
    if (report.errors.length) return report;
    report.document = document;
    const variables = { ...worstCaseVariables(next.schema, operation), ...report.sampleVariables };
    report.costAfter = safely(() => estimateCost(nextModel, analysis.forVariables(variables)));
    if (validate(base.schema, document).length === 0) {
      const before = OperationAnalysis.of(base.schema, document, operation.name?.value);
      report.costBefore = before ? safely(() => estimateCost(baseModel, before.forVariables(variables))) : null;
    }
    report.overBudget = report.costAfter !== null && report.costAfter > limits.maxCost;
    const scopes = new Set<Scope>();
    for (const coordinate of analysis.forVariables(undefined).coordinates.fields) {
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const rule = nextRules.get(typeName, fieldName);
      if (rule && !rule.public) rule.requires.forEach((s) => scopes.add(s));
      const change = ruleChanges.get(coordinate);
      if (change?.tightened) report.newlyRestricted.push({ coordinate, before: describeRule(change.before), after: describeRule(change.after) });
    }
    report.scopes = [...scopes].sort();
    report.deprecated = findDeprecatedUsage(analysis.forVariables(undefined), deprecated).map((coordinate) => ({
      coordinate,
      removeAfter: next.registry.get(coordinate)?.removeAfter ?? null,
    }));
    return report;
  });
}

/** The trusted-documents manifest published beside the client folders (npm run documents:publish). */
export const manifestIn = (operationsDir: string): string => path.join(operationsDir, path.basename(MANIFEST_FILE));

/**
 * The published trusted documents that no operation file holds any more (a file edited or removed
 * without publishing again) yet clients may still send, each with what the new schema says of it:
 * they break as surely as the files do.
 */
export function checkUnmatchedTrustedDocuments(
  operations: OperationReport[],
  operationsDir: string,
  next: SchemaVersion,
): Array<{ operation: ManifestOperation; errors: string[] }> {
  const matched = new Set(operations.map((o) => o.documentId));
  return readManifest(manifestIn(operationsDir))
    .operations.filter((o) => !matched.has(`sha256:${o.id}`))
    .map((operation) => ({ operation, errors: validate(next.schema, parse(operation.body)).map((e) => e.message) }));
}

/**
 * Variables that make an operation as expensive as a client may make it: page sizes (first,
 * last) at the maximum, other values the smallest valid ones. Defaults are left to apply.
 */
export function worstCaseVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, pageSize = MAX_PAGE_SIZE): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type) continue;
    if ((name === 'first' || name === 'last') && getNamedType(type).name === 'Int') variables[name] = pageSize;
    else if (isNonNullType(type) && !definition.defaultValue) variables[name] = placeholder(type);
  }
  return variables;
}

function placeholder(type: GraphQLInputType): unknown {
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) return [];
  if (isEnumType(nullable)) return nullable.getValues()[0]?.value;
  if (isInputObjectType(nullable)) {
    return Object.fromEntries(
      Object.values(nullable.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, placeholder(f.type)]),
    );
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'ID':
        return Buffer.from('Order:1').toString('base64url');
      case 'DateTime':
        return '2026-01-01T00:00:00Z';
      default:
        return 'x';
    }
  }
  return null;
}

function safely<T>(work: () => T): T | null {
  try {
    return work();
  } catch {
    return null;
  }
}
