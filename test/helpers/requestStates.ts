import { parse } from 'graphql';
import { OperationAnalysis } from '../../src/analysis/operationAnalysis';
import type { Viewer } from '../../src/auth/viewer';
import { ROLES, type Role } from '../../src/auth/scopes';
import { newDatabaseWork } from '../../src/db/databaseWork';
import { newRequestState, type RequestState } from '../../src/pipeline/requestState';
import { buildSchema } from '../../src/server/buildSchema';

export const schema = buildSchema();

/** A viewer of these roles, as a verified token would give. */
export function viewerOf(roles: Role[], overrides: Partial<Viewer> = {}): Viewer {
  return {
    kind: 'user',
    id: 'user-1',
    roles,
    scopes: new Set(roles.flatMap((role) => [...ROLES[role]])),
    explicitScopes: new Set(),
    customerId: roles.includes('customer') ? 7 : null,
    clientName: null,
    rateTier: 'user',
    expiresAt: null,
    ...overrides,
  };
}

/**
 * A request state as the pipeline sees it once the operation is parsed and analysed, for
 * policy unit tests: no server, no database.
 */
export function requestStateFor(
  query: string,
  options: { variables?: Record<string, unknown>; viewer?: Viewer | null; idempotencyKey?: string; operationName?: string } = {},
): RequestState {
  const viewer = options.viewer === undefined ? viewerOf(['admin']) : options.viewer;
  const state = newRequestState({
    transport: 'http',
    traceId: 'trace-1',
    clientAddress: '10.0.0.1',
    client: { name: 'unknown', version: 'unknown' },
    documentBytes: query.length,
    idempotencyKey: options.idempotencyKey,
    work: newDatabaseWork(),
    viewer,
    verifyViewer: async () => viewer,
    timeoutMs: 10_000,
  });
  const document = parse(query);
  const analysis = OperationAnalysis.of(schema, document, options.operationName)!;
  state.operation = {
    source: query,
    operationName: options.operationName,
    variables: options.variables,
    document,
    analysis,
    request: analysis.forVariables(options.variables),
  };
  state.executedDocument = document;
  return state;
}
